package dev.eddy.contracts.secrets;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * The credential of Eddy's internal HTTP endpoints ({@code /internal/...}): a key derived from the suite key
 * ({@code EDDY_SECRET_KEY}) as HMAC-SHA256 over the fixed label {@value #LABEL}, so it is never the suite key itself
 * and changes with it. config-service sends it in {@value #HEADER}; the service answering compares in constant time.
 * The same key signs what config-service vouches for (a resolved sync spec): {@link #sign} over the exact bytes sent.
 */
public final class InternalCredential {

    /** The request header carrying the credential. */
    public static final String HEADER = "X-Eddy-Internal-Credential";
    /** The label the internal key is derived with; a new label gives a new, unrelated key. */
    public static final String LABEL = "eddy-internal-v1";

    private final byte[] key;
    private final String token;

    /** @param suiteKey the suite key ({@code EDDY_SECRET_KEY}); required */
    public InternalCredential(String suiteKey) {
        if (suiteKey == null || suiteKey.isBlank()) {
            throw new IllegalArgumentException("the secret key (EDDY_SECRET_KEY) is not set");
        }
        this.key = hmac(suiteKey.getBytes(StandardCharsets.UTF_8), LABEL.getBytes(StandardCharsets.UTF_8));
        this.token = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /** The header value config-service sends. */
    public String token() {
        return token;
    }

    /** True when {@code presented} is the credential; constant time, false for null. */
    public boolean accepts(String presented) {
        if (presented == null) {
            return false;
        }
        return MessageDigest.isEqual(token.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
    }

    /** HMAC-SHA256 of {@code bytes} under the internal key, base64url. */
    public String sign(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(hmac(key, bytes));
    }

    /** True when {@code signature} is {@link #sign}'s for exactly these bytes; constant time, false for null. */
    public boolean verify(byte[] bytes, String signature) {
        if (bytes == null || signature == null) {
            return false;
        }
        return MessageDigest.isEqual(sign(bytes).getBytes(StandardCharsets.UTF_8), signature.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
