package dev.ingot.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.server.http.ServerConfig;
import dev.ingot.testkit.SharedModels;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ingot serve} from its command line to a real request and back down. */
class ServeCommandTest {

    private static CommandLine cli(ServeCommand command, StringWriter out, StringWriter err) {
        CommandLine cli = new CommandLine(command);
        cli.setExecutionExceptionHandler(new UserErrorHandler());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    @Test
    void theKvCacheFlagsReachTheSchedulersConfig() {
        ServeCommand lazy = new ServeCommand();
        new CommandLine(lazy).parseArgs("--model", "m", "--kv-cache-bytes", "8M", "--kv-cache-dtype", "bf16");
        assertThat(lazy.modelOptions.kvCacheConfig().preallocate()).isFalse();
        assertThat(lazy.modelOptions.kvCacheConfig().bytes()).isEqualTo(8L << 20);

        ServeCommand reserved = new ServeCommand();
        new CommandLine(reserved).parseArgs("--model", "m", "--kv-cache-bytes", "8M", "--kv-cache-preallocate");
        assertThat(reserved.modelOptions.kvCacheConfig().preallocate()).isTrue();
        assertThat(reserved.modelOptions.kvCacheConfig().bytes()).isEqualTo(8L << 20);
    }

    @Test
    void servesRunCsTextOnAnEphemeralPortAndStops() throws Exception {
        ServeCommand command = new ServeCommand();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = cli(command, out, err);
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> cli.execute("--model",
                SharedModels.storiesHf().toString(), "--port", "0", "--served-model-name", "stories", "--max-batch", "4"));

        URI base = null;
        Pattern listening = Pattern.compile("listening on (http://\\S+) ");
        for (int i = 0; i < 500 && base == null; i++) {
            Matcher m = listening.matcher(out.toString());
            if (m.find()) {
                base = URI.create(m.group(1));
            } else {
                Thread.sleep(10);
            }
        }
        assertThat(base).as("stdout: %s, stderr: %s", out, err).isNotNull();
        assertThat(base.getHost()).isEqualTo("127.0.0.1");
        command.server().orElseThrow().awaitReady(Duration.ofSeconds(60));

        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"model\": \"stories\", \"prompt\": \"Once upon a time\", \"temperature\": 0, \"max_tokens\": 252}";
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(base.resolve("/v1/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(reply.statusCode()).isEqualTo(200);
        String text = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body())
                .get("choices").get(0).get("text").asText();
        assertThat(text).isEqualTo(SharedModels.referenceOnceUponATime().substring("Once upon a time".length()));

        command.stop();
        assertThat(exit.get()).isZero();
    }

    @Test
    void theServedNameDefaultsToTheModelFolderAndOptionsReachTheConfig(@TempDir Path temp) throws Exception {
        Path tokenFile = temp.resolve("token");
        Files.writeString(tokenFile, "s3cret\n");
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs("--model", SharedModels.storiesHf().toString(), "--max-batch", "8",
                "--update-token-file", tokenFile.toString(), "--allow-reload-from", temp.toString(),
                "--allow-reload-from", "/data/ckpts");

        ServerConfig config = command.serverConfig();

        assertThat(config.modelName()).isEqualTo("stories260K-hf");
        assertThat(config.host()).isEqualTo("127.0.0.1");
        assertThat(config.port()).isEqualTo(8000);
        assertThat(config.scheduler().maxBatch()).isEqualTo(8);
        assertThat(config.weightRoutes().token()).contains("s3cret");
        assertThat(config.weightRoutes().allowReloadFrom()).containsExactly(temp, Path.of("/data/ckpts"));
    }

    @Test
    void twoTokenSourcesAreOneLineOnStderr() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = cli(new ServeCommand(), out, err).execute("--model", SharedModels.storiesHf().toString(),
                "--update-token", "a", "--update-token-file", "b");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("error: give --update-token or --update-token-file, not both");
    }
}
