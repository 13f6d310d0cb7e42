package dev.ingot.server.http.weights;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.LoadedModel;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.engine.safetensors.SafetensorsFile;
import dev.ingot.engine.safetensors.SafetensorsWriter;
import dev.ingot.spi.model.HfNames;
import dev.ingot.testkit.SharedModels;
import io.javalin.Javalin;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Routes registered before the model has loaded, as {@code ingot serve} does, with outcomes reported for metrics. */
class DeferredRoutesTest {

    private static final String TOKEN = "deferred";

    @Test
    void answer503UntilTheModelIsThereAndReportEveryOutcome() throws Exception {
        AtomicReference<LoadedModel> model = new AtomicReference<>();
        List<String> outcomes = new CopyOnWriteArrayList<>();
        WeightRoutes routes = WeightRoutes.deferred(WeightApiConfig.withToken(TOKEN), () -> Optional.ofNullable(model.get()));
        routes.onEnded((update, outcome) -> outcomes.add(outcome.kind().label()));
        Javalin app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            routes.register(c.routes);
        });
        app.start("127.0.0.1", 0);
        try {
            Http http = new Http("http://127.0.0.1:" + app.port(), TOKEN);
            Http.Answer loading = http.get("/v1/weights");
            assertThat(loading.status()).isEqualTo(503);
            assertThat(loading.errorMessage()).isEqualTo("the model is still loading; retry when /health says ready");
            assertThat(new Http("http://127.0.0.1:" + app.port(), "wrong").post("/v1/weights/updates", "{\"version\": 2}").status())
                    .as("the token is checked first").isEqualTo(401);

            model.set(ModelLoader.load(LoadOptions.of(SharedModels.storiesHf())));
            assertThat(http.get("/v1/weights").json().path("version").asLong()).isEqualTo(1);

            byte[] norm;
            try (SafetensorsFile file = SafetensorsFile.open(SharedModels.storiesHf().resolve("model.safetensors"))) {
                norm = new SafetensorsWriter().add(file.read(HfNames.FINAL_NORM)).toByteArray();
            }
            String committed = http.begin(2, "PARTIAL");
            assertThat(http.put("/v1/weights/updates/" + committed + "/buckets", norm).status()).isEqualTo(200);
            assertThat(http.post("/v1/weights/updates/" + committed + "/commit", "").status()).isEqualTo(200);
            String rejected = http.begin(3, "FULL");
            assertThat(http.post("/v1/weights/updates/" + rejected + "/commit", "").status()).isEqualTo(422);
            String aborted = http.begin(3, "PARTIAL");
            assertThat(http.delete("/v1/weights/updates/" + aborted).status()).isEqualTo(200);
            assertThat(outcomes).containsExactly("committed", "rejected", "aborted");
        } finally {
            app.stop();
            routes.close();
            if (model.get() != null) {
                model.get().close();
            }
        }
    }
}
