package io.datalake.mongo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.datalake.DatalakeException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Unit test, no server: how the lake's resources are closed when some closes fail. */
class LakeLifecycleCloseTest {

    @Test
    void everyResourceIsClosedAndTheFirstFailureIsThrownWithTheOthersSuppressed() {
        List<String> closed = new ArrayList<>();
        IllegalStateException first = new IllegalStateException("client close failed");
        IOException second = new IOException("registry close failed");
        List<AutoCloseable> resources = List.of(
                () -> {
                    closed.add("client");
                    throw first;
                },
                () -> closed.add("morphia client"),
                () -> {
                    closed.add("registries");
                    throw second;
                },
                () -> closed.add("embedded server"));

        assertThatThrownBy(() -> LakeLifecycle.closeAll(resources))
                .isSameAs(first)
                .satisfies(e -> assertThat(e.getSuppressed()).containsExactly(second));
        assertThat(closed).containsExactly("client", "morphia client", "registries", "embedded server");
    }

    @Test
    void aCheckedFailureFirstIsThrownAsADatalakeException() {
        IOException failure = new IOException("disk gone");
        List<AutoCloseable> resources = List.of(() -> {
            throw failure;
        });

        assertThatThrownBy(() -> LakeLifecycle.closeAll(resources))
                .isInstanceOf(DatalakeException.class)
                .hasCause(failure);
    }

    @Test
    void anErrorInOneCloseStillClosesTheRestAndIsRethrown() {
        List<String> closed = new ArrayList<>();
        NoClassDefFoundError missing = new NoClassDefFoundError("com/example/BackendHelper");
        List<AutoCloseable> resources = List.of(
                () -> {
                    closed.add("registries");
                    throw missing;
                },
                () -> closed.add("embedded server"));

        assertThatThrownBy(() -> LakeLifecycle.closeAll(resources)).isSameAs(missing);
        assertThat(closed).containsExactly("registries", "embedded server");
    }
}
