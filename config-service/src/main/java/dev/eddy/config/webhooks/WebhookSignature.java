package dev.eddy.config.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/** Hex HMAC-SHA256 of a raw request body, compared case-insensitively in constant time. */
public final class WebhookSignature {

    private WebhookSignature() {
    }

    public static String hexHmacSha256(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** True when {@code presented} is the hex HMAC of {@code body} under {@code secret} (either case). */
    public static boolean matches(String secret, byte[] body, String presented) {
        if (presented == null) {
            return false;
        }
        byte[] expected = hexHmacSha256(secret, body).getBytes(StandardCharsets.US_ASCII);
        byte[] given = presented.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
