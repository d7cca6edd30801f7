package dev.eddy.deploy;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The launcher's defaults are the safe ones: services exit on OutOfMemoryError, the API listens on loopback. */
class LocalSettingsTest {

    @Test
    void theServicesExitOnOutOfMemoryByDefault() {
        LocalSettings settings = LocalSettings.fromEnvironment(Map.of());
        assertTrue(settings.javaOptions().contains("-XX:+ExitOnOutOfMemoryError"), settings.javaOptions());
        assertEquals("-Xmx2g", LocalSettings.fromEnvironment(Map.of("EDDY_JAVA_OPTS", "-Xmx2g")).javaOptions(),
                "EDDY_JAVA_OPTS replaces the options as given");
    }

    @Test
    void theApiListensOnLoopbackUnlessOpenedOnPurpose() {
        assertEquals("127.0.0.1", LocalSettings.fromEnvironment(Map.of()).apiHost());
        assertEquals("0.0.0.0", LocalSettings.fromEnvironment(Map.of("EDDY_HTTP_HOST", "0.0.0.0")).apiHost());
        assertEquals("10.0.0.5", LocalSettings.fromEnvironment(Map.of("EDDY_HTTP_HOST", "0.0.0.0", "EDDY_API_HOST", "10.0.0.5")).apiHost());
    }
}
