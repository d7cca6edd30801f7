package dev.eddy.contracts.secrets;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Secrets inside URLs (a webhook's {@code ?token=...}, {@code https://user:pass@host/}): sealed in place at rest,
 * so the rest of the URL stays readable, and masked wherever a URL is shown.
 *
 * <p>A secret is the userinfo of the URL and the value of every query parameter with a secret-looking name
 * ({@link #SECRET_PARAMETERS}, or a name {@link SecretBox#isSecretField} calls secret). At rest each is replaced by its
 * sealed form, percent-encoded ({@code ?token=sealed%3Av1%3A...}); delivery opens them right before sending. Every
 * view (API responses, topics, Git files, test-a-row, logs) shows {@link SecretBox#MASK} in their place.
 */
public final class UrlSecrets {

    /** Query parameter names whose values are secrets, compared lower-cased. */
    public static final List<String> SECRET_PARAMETERS = List.of("token", "key", "api_key", "apikey", "api-key", "secret",
            "password", "pass", "pwd", "signature", "sig", "access_token", "auth", "client_secret", "x-api-key");
    /** A sealed value inside a URL, percent-encoded or not. */
    private static final Pattern EMBEDDED_SEALED = Pattern.compile("sealed(?::|%3[Aa])v1(?::|%3[Aa])[A-Za-z0-9%+/=_:-]+");
    private static final Pattern USERINFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#@]*)@");
    private static final Pattern QUERY_PARAMETER = Pattern.compile("([?&;])([^=&#;]+)=([^&#;]*)");

    private UrlSecrets() {
    }

    /** True when the text holds a sealed value anywhere (a client must never send one: it would be opened for it). */
    public static boolean carriesSealed(String url) {
        return url != null && EMBEDDED_SEALED.matcher(url).find();
    }

    /** Seals the URL's secrets in place with {@code seal}; parts already sealed stay as they are. */
    public static String seal(String url, UnaryOperator<String> seal) {
        // the raw text is sealed, so opening puts back exactly what the user wrote
        return replaceSecrets(url, raw -> SecretBox.isSealed(decode(raw)) ? raw : encode(seal.apply(raw)));
    }

    /**
     * Seals, in place, the secrets of a destination configuration's URLs: {@code url} (webhook) and each event
     * kind's {@code url} template ({@code added}, {@code changed}, {@code removed} of the http destination).
     */
    public static ObjectNode sealUrls(ObjectNode configuration, UnaryOperator<String> seal) {
        if (configuration.path("url").isTextual()) {
            configuration.put("url", seal(configuration.get("url").asText(), seal));
        }
        for (String kind : List.of("added", "changed", "removed")) {
            if (configuration.get(kind) instanceof ObjectNode request && request.path("url").isTextual()) {
                request.put("url", seal(request.get("url").asText(), seal));
            }
        }
        return configuration;
    }

    /** Opens every sealed part of the URL with {@code open}: the URL as the user wrote it. */
    public static String open(String url, UnaryOperator<String> open) {
        if (url == null) {
            return null;
        }
        Matcher m = EMBEDDED_SEALED.matcher(url);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(open.apply(decode(m.group()))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The URL with its secrets (plain or sealed) as {@link SecretBox#MASK}, for every view of it. */
    public static String masked(String url) {
        if (url == null) {
            return null;
        }
        String masked = replaceSecrets(url, plain -> SecretBox.MASK);
        return EMBEDDED_SEALED.matcher(masked).replaceAll(SecretBox.MASK);
    }

    /** Whether a query parameter of this name holds a secret. */
    public static boolean isSecretParameter(String name) {
        String n = decode(name).toLowerCase(Locale.ROOT);
        return SECRET_PARAMETERS.contains(n) || SecretBox.isSecretField(n);
    }

    private static String replaceSecrets(String url, UnaryOperator<String> replace) {
        if (url == null) {
            return null;
        }
        String result = url;
        Matcher user = USERINFO.matcher(result);
        if (user.find() && !user.group(2).isEmpty()) {
            result = user.group(1) + replace.apply(user.group(2)) + "@" + result.substring(user.end());
        }
        int query = result.indexOf('?');
        if (query < 0) {
            return result;
        }
        int fragment = result.indexOf('#', query);
        String head = result.substring(0, query);
        String tail = fragment < 0 ? "" : result.substring(fragment);
        String q = result.substring(query, fragment < 0 ? result.length() : fragment);
        Matcher m = QUERY_PARAMETER.matcher(q);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = m.group(3);
            String kept = isSecretParameter(m.group(2)) && !value.isEmpty() && !value.contains("{{") ? replace.apply(value) : value;
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + kept));
        }
        m.appendTail(out);
        return head + out + tail;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return text;
        }
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
