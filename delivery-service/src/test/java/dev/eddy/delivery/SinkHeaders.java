package dev.eddy.delivery;

import dev.eddy.testsupport.RecordingHttpSink;

/** Reads a recorded request's header by name, case-insensitively (the JDK server normalises header case). */
public final class SinkHeaders {

    private SinkHeaders() {
    }

    public static String header(RecordingHttpSink.Request request, String name) {
        return request.headers().entrySet().stream()
                .filter(e -> e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty())
                .map(e -> e.getValue().get(0)).findFirst().orElse(null);
    }
}
