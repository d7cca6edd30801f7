package dev.eddy.delivery.connector;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;

/** HMAC-SHA256 signatures of request bodies, so receivers can check a request came from Eddy. */
public final class Signatures {

    /** The header carrying {@code sha256=<hex>} over the raw body. */
    public static final String HEADER = "X-Eddy-Signature";

    private Signatures() {
    }

    /** {@code sha256=<lower-case hex of HMAC-SHA256(secret, body)>}. */
    public static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }
}
