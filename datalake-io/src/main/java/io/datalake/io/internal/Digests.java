package io.datalake.io.internal;

import io.datalake.DatalakeException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The one place exports and imports get a SHA-256 digest from. */
final class Digests {
    private Digests() {
    }

    /** Returns a new SHA-256 digest. */
    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new DatalakeException("SHA-256 is not available in this JVM", e);
        }
    }
}
