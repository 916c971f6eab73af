package io.datalake.delete;

import io.datalake.InvalidArgumentException;

/**
 * A registry object that no remaining datum references once a delete has run: payload garbage collection may
 * remove it after its grace period (a delete never removes payloads itself).
 *
 * @param registryUri the registry, as stored in the deleted datums
 * @param registryKey the object's key in that registry
 */
public record ReleasedPayload(String registryUri, String registryKey) {
    /**
     * Validates the value.
     *
     * @throws InvalidArgumentException if a part is null
     */
    public ReleasedPayload {
        if (registryUri == null || registryKey == null) {
            throw new InvalidArgumentException("ReleasedPayload: registryUri and registryKey must not be null");
        }
    }

    @Override
    public String toString() {
        return registryUri + " " + registryKey;
    }
}
