package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The field catalogue and docs/openai-api.md agree. */
class RequestFieldsTest {

    @Test
    void theDocsNameEveryFieldTheServerKnows() throws Exception {
        String docs = Files.readString(Path.of("..", "docs", "openai-api.md"));
        List<String> missing = RequestFields.known().stream().filter(f -> !docs.contains("`" + f)).toList();
        assertThat(missing).isEmpty();
    }

    @Test
    void vllmsSamplingFieldsAreImplementedOnBothEndpoints() {
        for (String field : List.of("logit_bias", "presence_penalty", "frequency_penalty", "repetition_penalty", "min_p",
                "stop_token_ids", "min_tokens", "ignore_eos", "include_stop_str_in_output", "skip_special_tokens",
                "prompt_logprobs", "best_of")) {
            assertThat(RequestFields.implemented(field, RequestFields.Endpoint.COMPLETIONS)).as(field).isTrue();
            assertThat(RequestFields.implemented(field, RequestFields.Endpoint.CHAT)).as(field).isTrue();
        }
        assertThat(RequestFields.refused("tools", RequestFields.Endpoint.CHAT)).isTrue();
        assertThat(RequestFields.refused("max_completion_tokens", RequestFields.Endpoint.COMPLETIONS)).isTrue();
    }
}
