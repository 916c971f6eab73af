package io.datalake.cli.internal;

import picocli.CommandLine.IVersionProvider;

/** Reads the version from the jar manifest; a build from the source tree without a jar says so. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = RootCommand.class.getPackage().getImplementationVersion();
        return new String[] {"datalake " + (version != null ? version : "(development build)"),
            "Java " + System.getProperty("java.version")};
    }
}
