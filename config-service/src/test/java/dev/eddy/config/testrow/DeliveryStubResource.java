package dev.eddy.config.testrow;

import dev.eddy.testsupport.RecordingHttpSink;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

import java.util.Map;

/** A real local HTTP server standing in for delivery-service's internal endpoint; config-service is pointed at it. */
public class DeliveryStubResource implements QuarkusTestResourceLifecycleManager {

    static RecordingHttpSink delivery;

    @Override
    public Map<String, String> start() {
        delivery = new RecordingHttpSink();
        return Map.of("eddy.delivery.url", "http://127.0.0.1:" + delivery.port());
    }

    @Override
    public void stop() {
        delivery.close();
    }
}
