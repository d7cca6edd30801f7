package dev.eddy.config.health;

import dev.eddy.config.config.EddyConfig;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * Ready when every other service of the suite ({@code eddy.suite.health-urls}) answers 200 on its
 * readiness URL, so the API's readiness stands for the whole suite.
 */
@Readiness
@ApplicationScoped
public class SuiteReadiness implements HealthCheck {

    private final List<String> urls;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public SuiteReadiness(EddyConfig config) {
        this.urls = config.suite().healthUrls().orElse(List.of()).stream().filter(u -> !u.isBlank()).toList();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("suite").up();
        for (String url : urls) {
            int status = status(url);
            response.withData(url, status);
            if (status != 200) {
                response.down();
            }
        }
        return response.build();
    }

    private int status(String url) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).GET().build();
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }
}
