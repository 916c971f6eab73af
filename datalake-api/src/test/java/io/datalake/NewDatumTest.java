package io.datalake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NewDatumTest {

    @Test
    void toStringNeverPrintsCredentialsOfTheRegistryUri() {
        NewDatum datum = NewDatum.builder()
                .data(new byte[] {1})
                .metadata(Map.of("k", "v"))
                .registryUri("s3://bucket/prefix?accessKeyId=AKIAEXAMPLE&secretAccessKey=s3cr3t%2Fkey"
                        + "&sessionToken=t0ken&region=eu-west-1")
                .build();

        String shown = datum.toString();

        assertThat(shown).doesNotContain("s3cr3t").doesNotContain("t0ken")
                .contains("s3://bucket/prefix?").contains("region=eu-west-1").contains("secretAccessKey=***");
    }
}
