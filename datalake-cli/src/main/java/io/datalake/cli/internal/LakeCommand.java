package io.datalake.cli.internal;

import io.datalake.Datalake;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.ParentCommand;
import reactor.core.publisher.Mono;

/** A subcommand that works on an open lake: opens it from the root's options, runs, and closes it. */
abstract class LakeCommand implements Callable<Integer> {
    @ParentCommand
    @Nullable RootCommand root;

    @Override
    public final Integer call() throws Exception {
        validate();
        try (Datalake lake = openLake()) {
            return run(lake);
        }
    }

    /** Opens the lake the root's options describe; a command that needs other settings says so here. */
    Datalake openLake() {
        return root().openLake(announceEmbedded());
    }

    /** Checks the arguments before the lake is opened, so usage errors cost no connection. */
    void validate() {
    }

    /** Whether to warn that an embedded lake is throwaway; commands that only make sense on it say no. */
    boolean announceEmbedded() {
        return true;
    }

    abstract int run(Datalake lake) throws Exception;

    /**
     * Waits for a call that always ends with a value (a list, a result, statistics).
     *
     * @throws IllegalStateException if it completed empty, which the API never does for such calls
     */
    static <T> T await(Mono<T> call, String name) {
        T value = call.block();
        if (value == null) {
            throw new IllegalStateException(name + " completed without a result");
        }
        return value;
    }

    /**
     * Returns a required positional parameter: picocli sets it before {@link #run} or refuses the command line.
     *
     * @throws IllegalStateException if it is missing, which picocli does not let happen
     */
    static <T> T required(@Nullable T parameter, String label) {
        if (parameter == null) {
            throw new IllegalStateException("missing parameter " + label);
        }
        return parameter;
    }

    RootCommand root() {
        if (root == null) {
            throw new IllegalStateException("command is not attached to the datalake command");
        }
        return root;
    }

    PrintStream out() {
        return root().context().out();
    }

    PrintStream err() {
        return root().context().err();
    }
}
