package dev.eddy.config.rest;

import dev.eddy.testsupport.EddyInfrastructureResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Body limits per route, over a raw socket so the test controls what is sent: a declared length over the route's
 * limit is answered 413 although no byte of the body was sent (so none was waited for or read), a chunked body is cut
 * at the limit, and the dbt manifest route answers 401 to a request without a key before reading its body.
 */
@QuarkusTest
@QuarkusTestResource(EddyInfrastructureResource.class)
class RequestLimitsTest {

    @TestHTTPResource("/")
    URL base;

    /** Sends the head (and {@code body}, if any) and reads the answer's status line; the socket times out after 60 s. */
    private int status(String head, byte[] body) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(60_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (body != null) {
                try {
                    out.write(body);
                } catch (IOException closedEarly) {
                    // the server may answer and close before all of it is written: the answer is what counts
                }
            }
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                line.write(b);
            }
            String statusLine = line.toString(StandardCharsets.US_ASCII);
            assertTrue(statusLine.startsWith("HTTP/1.1 "), statusLine);
            return Integer.parseInt(statusLine.substring(9, 12));
        }
    }

    private static String post(String path, String extraHeaders) {
        return "POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" + extraHeaders + "\r\n";
    }

    @Test
    void anApiRouteRefusesADeclaredBodyOverTwoMegabytesWithoutReadingIt() throws IOException {
        // 200 MB declared, nothing sent: a server that waited for the body would time out instead of answering
        assertEquals(413, status(post("/api/v1/models", "Authorization: Bearer test-api-key\r\nContent-Length: 209715200\r\n"), null));
        assertEquals(413, status(post("/api/v1/models", "Content-Length: 3000000\r\n"), null));
    }

    @Test
    void aWebhookBridgeRefusesABodyOver256KilobytesBeforeItsSignatureIsChecked() throws IOException {
        assertEquals(413, status(post("/webhooks/dbt-cloud", "Content-Length: 300000\r\n"), null));
        assertEquals(413, status(post("/webhooks/fivetran", "Content-Length: 104857600\r\n"), null));
        // a small unsigned body is read and refused by the signature check, as before
        byte[] small = "{}".getBytes(StandardCharsets.US_ASCII);
        assertEquals(401, status(post("/webhooks/fivetran", "Content-Length: 2\r\n"), small));
    }

    @Test
    void aChunkedBodyIsCutAtTheRoutesLimit() throws IOException {
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        byte[] chunk = new byte[32 * 1024];
        java.util.Arrays.fill(chunk, (byte) 'x');
        for (int i = 0; i < 10; i++) { // 320 KB > 256 KB
            chunked.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            chunked.write(chunk);
            chunked.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        chunked.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(413, status(post("/webhooks/dbt-cloud", "Transfer-Encoding: chunked\r\n"), chunked.toByteArray()));
    }

    @Test
    void theManifestRouteChecksTheKeyBeforeReadingItsLargerBody() throws IOException {
        // 32 MB declared, nothing sent: 401 at once, so the body was not read before the key was checked
        assertEquals(401, status(post("/api/v1/dbt/manifest", "Content-Length: 33554432\r\n"), null));
        assertEquals(413, status(post("/api/v1/dbt/manifest", "Authorization: Bearer test-api-key\r\nContent-Length: 104857600\r\n"), null));
    }

    @Test
    void routeLimits() {
        assertEquals(RequestLimits.WEBHOOK_LIMIT, RequestLimits.limitOf("//webhooks/dbt-cloud"));
        assertEquals(RequestLimits.MANIFEST_LIMIT, RequestLimits.limitOf("/api/v1/dbt/manifest"));
        assertEquals(RequestLimits.DEFAULT_LIMIT, RequestLimits.limitOf("/api/v1/dbt/manifest/../../syncs"));
        assertEquals(RequestLimits.DEFAULT_LIMIT, RequestLimits.limitOf("/api/v1/syncs"));
    }
}
