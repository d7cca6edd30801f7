package dev.eddy.contracts.destination;

import java.util.Locale;

/**
 * HTTP header names that carry credentials ({@code Authorization}, {@code Cookie}, {@code X-Api-Key},
 * {@code X-Eddy-Signature}, any name with "key", "token", "secret", "auth", "password" or "signature"): their values
 * are sealed at rest, masked by the API and redacted by test-a-row.
 */
public final class CredentialHeaders {

    private CredentialHeaders() {
    }

    public static boolean isCredential(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return lower.contains("auth") || lower.contains("cookie") || lower.contains("key") || lower.contains("token")
                || lower.contains("secret") || lower.contains("password") || lower.contains("signature");
    }
}
