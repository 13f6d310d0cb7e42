package dev.ingot.engine.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonSchemaCompilerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static SchemaNode compile(String schema) throws Exception {
        return JsonSchemaCompiler.compile(JSON.readTree(schema.replace('\'', '"')));
    }

    private static void refused(String schema, String pointer, String message) throws Exception {
        JsonNode node = JSON.readTree(schema.replace('\'', '"'));
        assertThatThrownBy(() -> JsonSchemaCompiler.compile(node)).isInstanceOf(SchemaException.class)
                .satisfies(e -> assertThat(((SchemaException) e).pointer()).isEqualTo(pointer))
                .hasMessageContaining(message);
    }

    @Test
    void aKeywordOutsideTheSubsetIsRefusedByNameAndPlace() throws Exception {
        refused("{'type':'object','properties':{'zip':{'type':'string','pattern':'^[0-9]+$'}}}", "/properties/zip/pattern",
                "the keyword 'pattern' is not supported");
        refused("{'type':'object','properties':{'n':{'type':'array','items':{'type':'integer','minimum':3}}}}",
                "/properties/n/items/minimum", "'minimum'");
        refused("{'type':'object','properties':{'a':{'oneOf':[{'type':'string'}]}}}", "/properties/a/oneOf", "'oneOf'");
        refused("{'type':'object','properties':{'a/b':{'type':'string','format':'email'}}}", "/properties/a~1b/format", "'format'");
        refused("{'type':'object','additionalProperties':{'type':'string'}}", "/additionalProperties", "true or false");
    }

    @Test
    void malformedOrUnsatisfiableSchemasAreRefused() throws Exception {
        refused("{'type':'string'}", "", "the top-level schema must be");
        refused("{'type':'object','properties':{'a':{}}}", "/properties/a", "needs 'type'");
        refused("{'type':'object','properties':{'a':{'type':'text'}}}", "/properties/a/type", "'type' text is not one of");
        refused("{'type':'object','required':['b'],'properties':{'a':{'type':'string'}}}", "/required", "'b' is not in 'properties'");
        refused("{'type':'object','properties':{'a':{'type':'string','minLength':5,'maxLength':2}}}", "/properties/a/minLength",
                "above 'maxLength'");
        refused("{'type':'object','properties':{'a':{'type':'string','items':{'type':'string'}}}}", "/properties/a/items",
                "needs type 'array'");
        refused("{'type':'object','properties':{'a':{'$ref':'#/$defs/missing'}}}", "", "names no definition");
        refused("{'type':'object','properties':{'a':{'$ref':'#/$defs/x'}},'$defs':{'x':{'anyOf':[{'$ref':'#/$defs/x'}]}}}",
                "/$defs/x", "refers to itself");
        refused("{'type':'object','properties':{'a':{'enum':[1,2],'type':'string'}}}", "/properties/a/enum", "no value");
    }

    @Test
    void schemasOverTheLimitsAreRefused() throws Exception {
        StringBuilder deep = new StringBuilder("{'type':'object','properties':{'a':");
        for (int i = 0; i < JsonSchemaCompiler.MAX_DEPTH + 1; i++) {
            deep.append("{'type':'array','items':");
        }
        deep.append("{'type':'null'}").append("}".repeat(JsonSchemaCompiler.MAX_DEPTH + 1)).append("}}");
        assertThatThrownBy(() -> compile(deep.toString())).isInstanceOf(SchemaException.class).hasMessageContaining("deeper than");
        StringBuilder wide = new StringBuilder("{'type':'object','properties':{");
        for (int i = 0; i <= JsonSchemaCompiler.MAX_NODES; i++) {
            wide.append(i == 0 ? "" : ",").append("'p").append(i).append("':{'type':'null'}");
        }
        assertThatThrownBy(() -> compile(wide + "}}")).isInstanceOf(SchemaException.class).hasMessageContaining("more than");
    }

    @Test
    void theSubsetCompiles() throws Exception {
        SchemaNode node = compile("""
                {'type':'object','title':'t','additionalProperties':false,'required':['a'],
                 'properties':{'a':{'type':['string','null'],'maxLength':3},'b':{'$ref':'#/definitions/b'},
                               'c':{'anyOf':[{'const':{'x':[1]}},{'type':'array','items':{'type':'integer'},'minItems':1}]}},
                 'definitions':{'b':{'enum':['x',2,null]}}}""");
        assertThat(node).isInstanceOf(SchemaNode.ObjectNode.class);
        SchemaNode.ObjectNode object = (SchemaNode.ObjectNode) node;
        assertThat(object.properties()).extracting(SchemaNode.Property::name).containsExactly("a", "b", "c");
        assertThat(object.properties().get(0).schema()).isEqualTo(new SchemaNode.AnyOf(
                java.util.List.of(new SchemaNode.StringNode(0, 3), new SchemaNode.NullNode())));
    }
}
