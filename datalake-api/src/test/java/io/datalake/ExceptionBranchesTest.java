package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.bson.types.ObjectId;
import org.junit.jupiter.api.Test;

/** Unit tests: every exception sits on the branch a retry filter expects, and isTransient() agrees with it. */
class ExceptionBranchesTest {

    @Test
    void permanentFailuresAreNonTransient() {
        List<DatalakeException> permanent = List.of(
                new InvalidArgumentException("batchSize 0"),
                new InvalidQueryException("level 0: $where"),
                new DatumValidationException("duplicate id"),
                new DatumNotFoundException("getDatum", List.of(new ObjectId())),
                new MalformedDatumException("{\"$oid\": \"x\"}", "no added_at", null),
                new UndoIncompleteException(List.of(new ObjectId())),
                new DatalakeNonTransientException("refused"));
        for (DatalakeException e : permanent) {
            assertThat(e).as(e.getClass().getSimpleName()).isInstanceOf(DatalakeNonTransientException.class);
            assertThat(e.isTransient()).as(e.getClass().getSimpleName()).isFalse();
        }
    }

    @Test
    void timeoutsAreTransientAndSayWhoStopped() {
        DatalakeTimeoutException client = new DatalakeTimeoutException("no answer", null);
        DatalakeTimeoutException server = new DatalakeTimeoutException("MaxTimeMSExpired", null, true);
        for (DatalakeTimeoutException e : List.of(client, server)) {
            assertThat(e).isInstanceOf(DatalakeTransientException.class);
            assertThat(e.isTransient()).isTrue();
        }
        assertThat(client.serverTimeLimit()).isFalse();
        assertThat(server.serverTimeLimit()).isTrue();
    }

    @Test
    void aRegistryFailureIsEitherAndKeepsItsVerdictWhenWrapped() {
        RegistryException damaged = new RegistryException("payload s3://lake key ab/cd is corrupt");
        RegistryException throttled = new RegistryException("503 SlowDown", true, null);
        assertThat(damaged.isTransient()).isFalse();
        assertThat(throttled.isTransient()).isTrue();
        assertThat(new RegistryException("payload of datum 1: 503 SlowDown", throttled).isTransient()).isTrue();
        assertThat(new RegistryException("payload of datum 1: corrupt", damaged).isTransient()).isFalse();
        assertThat(new RegistryException("cannot read", new IOException("x")).isTransient()).isFalse();
        assertThat(new RegistryNotAllowedException("not allowed", "s3://other").isTransient()).isFalse();
        assertThat(throttled).isNotInstanceOf(DatalakeNonTransientException.class)
                .isNotInstanceOf(DatalakeTransientException.class);
    }

    @Test
    void anUnclassifiedFailureIsNotTransient() {
        assertThat(new DatalakeException("this lake is closed").isTransient()).isFalse();
    }
}
