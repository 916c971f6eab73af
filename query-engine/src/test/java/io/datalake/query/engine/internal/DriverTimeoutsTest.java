package io.datalake.query.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.mongodb.MongoExecutionTimeoutException;
import com.mongodb.MongoOperationTimeoutException;
import com.mongodb.MongoSocketReadTimeoutException;
import com.mongodb.MongoTimeoutException;
import com.mongodb.ServerAddress;
import io.datalake.DatalakeTimeoutException;
import org.junit.jupiter.api.Test;

/** Timeouts become {@link DatalakeTimeoutException}, transient unless the server stopped the operation itself. */
class DriverTimeoutsTest {

    @Test
    void theServerStoppingAnOperationAtMaxTimeMsIsNotTransient() {
        // What the driver reports under timeoutMS when the server answers MaxTimeMSExpired (code 50).
        MongoOperationTimeoutException error = new MongoOperationTimeoutException("Operation exceeded the timeout limit",
                new MongoExecutionTimeoutException(50, "operation exceeded time limit"));
        DatalakeTimeoutException timeout = DriverTimeouts.translate("getStats", error);
        assertThat(timeout).isNotNull();
        assertThat(timeout.isTransient()).isFalse();
        assertThat(timeout).hasMessageStartingWith("getStats: ").hasMessageContaining("MaxTimeMSExpired")
                .hasCause(error);
        assertThat(DriverTimeouts.translate("find", new MongoExecutionTimeoutException(50, "exceeded")).isTransient())
                .isFalse();
    }

    @Test
    void theClientGivingUpIsTransient() {
        MongoOperationTimeoutException noAnswer = new MongoOperationTimeoutException("Timeout while receiving message",
                new MongoSocketReadTimeoutException("Timeout while receiving message", new ServerAddress(), null));
        assertThat(DriverTimeouts.translate("getDatum", noAnswer).isTransient()).isTrue();
        assertThat(DriverTimeouts.translate("open", new MongoTimeoutException("no server selected")).isTransient())
                .isTrue();
    }

    @Test
    void otherFailuresAreNotTimeouts() {
        assertThat(DriverTimeouts.translate("find", new IllegalStateException("boom"))).isNull();
    }
}
