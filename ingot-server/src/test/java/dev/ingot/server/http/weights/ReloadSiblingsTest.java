package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.testkit.SharedModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reload whose {@code path} names a file reads the files beside it (config.json and tokenizer.json
 * beside a model.safetensors, tok512.bin beside a llama2.c file); none of them may be read through a
 * symlink leaving the allowed folders, and nothing from an outside file may show in an answer.
 */
class ReloadSiblingsTest {

    private static final String TOKEN = "reload-siblings-token";
    /** A value only the outside file holds: it must never come back in an answer. */
    private static final String OUTSIDE_MARK = "1234567";

    @TempDir
    Path allowed;

    @TempDir
    Path outside;

    @TempDir
    static Path shared;

    private static Path plugins;

    private WeightsServer server;
    private Http http;

    @BeforeAll
    static void buildPlugin() throws Exception {
        plugins = RepoPlugins.build("llama2c", shared.resolve("plugins"));
    }

    @BeforeEach
    void start() throws Exception {
        server = WeightsServer.withPlugins(SharedModels.storiesHf(), plugins,
                WeightApiConfig.withToken(TOKEN).withReloadRoots(List.of(allowed)));
        http = new Http(server.base(), TOKEN);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aConfigBesideASafetensorsFileIsNotReadThroughALinkLeavingTheAllowedFolders() throws Exception {
        Path ckpt = Files.createDirectories(allowed.resolve("ckpt"));
        Files.copy(SharedModels.storiesHf().resolve("model.safetensors"), ckpt.resolve("model.safetensors"));
        Files.copy(SharedModels.storiesHf().resolve("tokenizer.json"), ckpt.resolve("tokenizer.json"));
        // an outside config that differs: its values must not appear in the answer
        String config = Files.readString(SharedModels.storiesHf().resolve("config.json"));
        Files.writeString(outside.resolve("config.json"), config.replaceFirst("\"hidden_size\":\\s*\\d+", "\"hidden_size\": " + OUTSIDE_MARK));
        Files.createSymbolicLink(ckpt.resolve("config.json"), outside.resolve("config.json"));

        Http.Answer answer = http.post("/v1/weights/reload",
                "{\"path\": \"" + ckpt.resolve("model.safetensors") + "\", \"version\": 5}");
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(403);
        assertThat(answer.errorMessage()).contains("config.json").contains("outside the allowed folders")
                .doesNotContain(OUTSIDE_MARK);
        assertThat(new String(answer.bytes())).doesNotContain(OUTSIDE_MARK);
        assertThat(server.store.version()).isEqualTo(1);
    }

    @Test
    void aMatchingOutsideConfigDoesNotLetTheReloadSucceed() throws Exception {
        Path ckpt = Files.createDirectories(allowed.resolve("ckpt"));
        Files.copy(SharedModels.storiesHf().resolve("model.safetensors"), ckpt.resolve("model.safetensors"));
        Files.copy(SharedModels.storiesHf().resolve("config.json"), outside.resolve("config.json"));
        Files.createSymbolicLink(ckpt.resolve("config.json"), outside.resolve("config.json"));
        Files.copy(SharedModels.storiesHf().resolve("tokenizer.json"), outside.resolve("tokenizer.json"));
        Files.createSymbolicLink(ckpt.resolve("tokenizer.json"), outside.resolve("tokenizer.json"));

        Http.Answer answer = http.post("/v1/weights/reload",
                "{\"path\": \"" + ckpt.resolve("model.safetensors") + "\", \"version\": 5}");
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(403);
        assertThat(server.store.version()).isEqualTo(1);
    }

    @Test
    void aLlama2cVocabularyBesideTheFileIsNotReadThroughALinkLeavingTheAllowedFolders() throws Exception {
        Path ckpt = Files.createDirectories(allowed.resolve("l2c"));
        Files.copy(SharedModels.storiesBin(), ckpt.resolve("stories260K.bin"));
        Files.copy(SharedModels.storiesBin().resolveSibling("tok512.bin"), outside.resolve("tok512.bin"));
        Files.createSymbolicLink(ckpt.resolve("tok512.bin"), outside.resolve("tok512.bin"));

        Http.Answer answer = http.post("/v1/weights/reload",
                "{\"path\": \"" + ckpt.resolve("stories260K.bin") + "\", \"version\": 5}");
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(403);
        assertThat(answer.errorMessage()).contains("tok512.bin").contains("outside the allowed folders");
        assertThat(server.store.version()).isEqualTo(1);
    }

    @Test
    void linksThatStayInsideTheAllowedFoldersAreFollowed() throws Exception {
        Path real = Files.createDirectories(allowed.resolve("real"));
        Files.copy(SharedModels.storiesHf().resolve("config.json"), real.resolve("config.json"));
        Path ckpt = Files.createDirectories(allowed.resolve("ckpt"));
        Files.copy(SharedModels.storiesHf().resolve("model.safetensors"), ckpt.resolve("model.safetensors"));
        Files.createSymbolicLink(ckpt.resolve("config.json"), real.resolve("config.json"));

        Http.Answer answer = http.post("/v1/weights/reload",
                "{\"path\": \"" + ckpt.resolve("model.safetensors") + "\", \"version\": 5}");
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(200);
        assertThat(server.store.version()).isEqualTo(5);
    }

    @Test
    void aNulByteInThePathIsABadRequest() throws Exception {
        Http.Answer answer = http.post("/v1/weights/reload",
                "{\"path\": \"" + allowed + "/a\\u0000b\", \"version\": 5}");
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(400);
        assertThat(answer.json().path("error").path("param").asText()).isEqualTo("path");
        assertThat(answer.errorMessage()).contains("NUL").doesNotContain("Exception");
        assertThat(server.store.version()).isEqualTo(1);
    }

    @Test
    void aReloadOfAConfigDeclaringTwoBillionLayersIsRefusedQuickly() throws Exception {
        Path ckpt = Files.createDirectories(allowed.resolve("huge"));
        Files.copy(SharedModels.storiesHf().resolve("model.safetensors"), ckpt.resolve("model.safetensors"));
        Files.writeString(ckpt.resolve("config.json"), Files.readString(SharedModels.storiesHf().resolve("config.json"))
                .replaceFirst("\"num_hidden_layers\":\\s*\\d+", "\"num_hidden_layers\": 2147483647"));
        long start = System.nanoTime();
        Http.Answer answer = http.post("/v1/weights/reload", "{\"path\": \"" + ckpt + "\", \"version\": 5}");
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(422);
        assertThat(answer.errorMessage()).contains("2147483647 layers");
        assertThat(server.store.version()).isEqualTo(1);
    }
}
