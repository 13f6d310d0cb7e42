package dev.ingot.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.ingot.engine.generate.LoadOptions;
import dev.ingot.engine.generate.ModelLoader;
import dev.ingot.testkit.SharedModels;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code response_format: json_schema} over real HTTP on stories260K (a story model, so every brace
 * it writes is the constraint's doing), each finished answer checked by networknt's validator.
 */
class JsonSchemaApiTest {

    private static final String SCHEMA = """
            {"type":"object","additionalProperties":false,"required":["hero","mood","age"],
             "properties":{"hero":{"type":"string","minLength":1,"maxLength":10},
                           "mood":{"enum":["happy","sad",null]},
                           "age":{"type":"integer"},
                           "friends":{"type":"array","items":{"type":"string","maxLength":8},"maxItems":2},
                           "brave":{"type":"boolean"}}}""";

    private static IngotServer server;
    private static Client client;
    private static Schema validator;

    @BeforeAll
    static void start() throws Exception {
        server = IngotServer.start(LinesChatTemplate.loopback("stories"), () -> ModelLoader.load(LoadOptions.of(SharedModels.storiesHf())));
        server.awaitReady(Duration.ofSeconds(60));
        client = new Client(server.uri());
        validator = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(SCHEMA, InputFormat.JSON);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static ObjectNode withSchema(ObjectNode body, String schema) throws Exception {
        ObjectNode format = body.putObject("response_format");
        format.put("type", "json_schema");
        ObjectNode spec = format.putObject("json_schema");
        spec.put("name", "story");
        spec.put("strict", true);
        spec.set("schema", Client.JSON.readTree(schema));
        return body;
    }

    /** Finished texts validate, cut ones are JSON prefixes; returns how many finished. */
    private static int check(JsonNode choices, String textField) {
        int finished = 0;
        for (JsonNode c : choices) {
            String text = textField.equals("text") ? c.get("text").asText() : c.get("message").get("content").asText();
            if (c.get("finish_reason").asText().equals("stop")) {
                assertThat(validator.validate(text, InputFormat.JSON)).as(text).isEmpty();
                finished++;
            } else {
                assertThat(catchThrowable(() -> Client.JSON.readTree(text))).as(text)
                        .isInstanceOf(com.fasterxml.jackson.core.io.JsonEOFException.class);
            }
        }
        return finished;
    }

    @Test
    void completionsFollowTheSchemaAtTemperatureOne() throws Exception {
        int finished = 0;
        for (int seed = 1; seed <= 3; seed++) {
            ObjectNode body = Client.JSON.createObjectNode();
            body.put("prompt", "Once upon a time");
            body.put("temperature", 1.0);
            body.put("seed", seed);
            body.put("n", 6);
            body.put("max_tokens", 200);
            // A story model rarely closes quotes; a bias on '"' (byte token 0x22) helps strings end.
            body.putObject("logit_bias").put("37", 4);
            finished += check(client.complete(withSchema(body, SCHEMA)).get("choices"), "text");
        }
        assertThat(finished).as("most of 18 choices finish within 200 tokens").isGreaterThan(9);
    }

    @Test
    void chatFollowsTheSchemaToo() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.putArray("messages").addObject().put("role", "user").put("content", "Tell me a story");
        body.put("temperature", 1.0);
        body.put("seed", 5);
        body.put("n", 4);
        body.put("max_tokens", 200);
        body.putObject("logit_bias").put("37", 4);
        Client.Reply reply = client.post("/v1/chat/completions", withSchema(body, SCHEMA));
        assertThat(reply.status()).as(reply.body()).isEqualTo(200);
        assertThat(check(reply.json().get("choices"), "message")).isPositive();
    }

    @Test
    void aKeywordOutsideTheSubsetIs400NamingItAndItsPlace() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", "Once upon a time");
        withSchema(body, """
                {"type":"object","properties":{"zip":{"type":"string","pattern":"^[0-9]{5}$"}}}""");
        Client.Reply reply = client.post("/v1/completions", body);
        assertThat(reply.status()).isEqualTo(400);
        JsonNode error = reply.json().get("error");
        assertThat(error.get("param").asText()).isEqualTo("response_format");
        assertThat(error.get("message").asText()).isEqualTo("'response_format.json_schema.schema' at /properties/zip/pattern: "
                + "the keyword 'pattern' is not supported (supported: type, properties, required, additionalProperties, items, "
                + "minItems, maxItems, minLength, maxLength, enum, const, anyOf, $ref, $defs, definitions)");
    }

    @Test
    void aMissingSchemaOrUnknownFieldIs400() throws Exception {
        ObjectNode body = Client.JSON.createObjectNode();
        body.put("prompt", "Once upon a time");
        body.putObject("response_format").put("type", "json_schema").putObject("json_schema").put("name", "x");
        Client.Reply reply = client.post("/v1/completions", body);
        assertThat(reply.status()).isEqualTo(400);
        assertThat(reply.json().get("error").get("message").asText()).isEqualTo("'response_format.json_schema.schema' is missing");
        ((ObjectNode) body.get("response_format").get("json_schema")).put("schemaa", "{}");
        reply = client.post("/v1/completions", body);
        assertThat(reply.json().get("error").get("message").asText()).contains("'response_format.json_schema.schemaa' is not a known field");
    }
}
