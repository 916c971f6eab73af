package io.datalake.registry;

import io.datalake.InvalidArgumentException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Helpers for registry URIs: query parameters, and hiding secrets before a URI is printed. */
public final class RegistryUris {
    private static final Pattern SECRET_NAME = Pattern.compile(
            "(?i).*(secret|password|token|credential|accesskey|private).*");
    private static final Pattern QUERY_PARAM = Pattern.compile("([?&])([^=&#]+)=([^&#]*)");
    private static final Pattern USER_PASSWORD = Pattern.compile("(://[^:/@]*:)[^@/]*@");

    private RegistryUris() {
    }

    /**
     * Tells whether a parameter or property name names a secret (a secret key, password, token or credential).
     *
     * @param name the name, with or without a {@code scheme.} prefix
     * @return true when its value must never be printed or stored
     */
    public static boolean isSecretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /**
     * Returns a URI with the values of secret query parameters and any user-info password replaced by
     * {@code ***}, for messages and logs.
     *
     * @param uri a URI
     * @return the same URI without secrets
     */
    public static String redact(String uri) {
        Matcher m = QUERY_PARAM.matcher(USER_PASSWORD.matcher(uri).replaceFirst("$1***@"));
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = isSecretName(m.group(2)) ? "***" : m.group(3);
            m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + m.group(2) + "=" + value));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /**
     * Decodes a URI's query string.
     *
     * @param uri a URI
     * @return the parameters in order, names as given, values URL-decoded (empty for a name without value)
     * @throws InvalidArgumentException if a parameter appears twice
     */
    public static Map<String, String> queryParameters(URI uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String query = uri.getRawQuery();
        if (query == null || query.isEmpty()) {
            return params;
        }
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            if (params.put(name, value) != null) {
                throw new InvalidArgumentException("registry URI " + redact(uri.toString())
                        + " sets query parameter '" + name + "' twice");
            }
        }
        return params;
    }

    /**
     * Returns a URI's scheme in lower case.
     *
     * @param uri a URI
     * @return the scheme, or an empty string for a relative URI
     */
    public static String scheme(URI uri) {
        return uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    }
}
