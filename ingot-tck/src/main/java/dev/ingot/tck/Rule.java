package dev.ingot.tck;

/**
 * The catalogue of what the kit checks. Each rule quotes the sentence of {@code docs/plugins.md} it
 * enforces and says how to fix a failure, so a report line is actionable without opening the docs.
 * Rules run in this order; a rule whose premise failed (no sample loads, no writer) is skipped, so a
 * broken plugin fails the rule it breaks and not every rule downstream of it.
 */
public enum Rule {

    LOAD_1("LOAD-1", "loading", "the jar loads in its own class loader",
            "§4: Every plugin gets its own class loader. Its parent exposes only the JDK and dev.ingot.spi.*",
            "make the jar's META-INF/services/dev.ingot.spi.IngotPlugin name a public class with a no-argument"
                    + " constructor that does no I/O, and bring every library it needs (shade it or ship a plugin folder)"),
    LOAD_2("LOAD-2", "loading", "its classes reference only the SPI and the JDK",
            "§4: A plugin does not see engine classes (dev.ingot.engine.*, dev.ingot.server.*) — use the SPI only."
                    + " Never bundle ingot-spi.",
            "replace every use of the named engine class by its dev.ingot.spi counterpart (EngineServices gives the"
                    + " engine's readers); declare dev.ingot:ingot-spi with scope 'provided'"),
    LOAD_3("LOAD-3", "loading", "it declares a compatible SPI version",
            "§2.1: spiVersion(): return IngotPlugin.SPI_VERSION; and nothing else",
            "return IngotPlugin.SPI_VERSION from spiVersion() and rebuild against this engine's ingot-spi"),
    LOAD_4("LOAD-4", "loading", "its names are well formed and unique",
            "§2.1/§2.2: name() short and unique among installed plugins; format names lower-case letters, digits, '.', '_', '-'",
            "rename the plugin or the extension so that no other plugin (built-ins included) uses the name"),

    DET_1("DET-1", "detection", "detect never throws on foreign inputs",
            "§2.2: detect must not throw for things that are simply not yours: a format whose detect throws is skipped",
            "return Detection.no(reason) for missing files, folders, empty or short files, unreadable files and links;"
                    + " catch what parsing a foreign header throws"),
    DET_2("DET-2", "detection", "detect answers fast and reads no tensor data",
            "§2.2: Detection must be cheap — read headers and small files only, never weights",
            "read a bounded prefix (a header, a small manifest) and decide from it; never read or checksum whole files"),
    DET_3("DET-3", "detection", "detect claims its own samples with the right tier",
            "§2.2: Detection.signature (a marker only your format writes) or Detection.layout (the files your format"
                    + " has are there); weak only when something is off",
            "return signature(...) for a magic number or versioned marker, layout(...) for the expected file set,"
                    + " and make sure no other format claims the sample at the same tier"),
    DET_4("DET-4", "detection", "detect does not claim what is not its own",
            "§2.2: Detection.no(reason) for things that are not yours; two claims in the top tier are an error for the user",
            "return no(...) unless your marker or your file layout is there; claim weak(...) only for your own files"
                    + " that are damaged"),

    OPEN_1("OPEN-1", "opening", "the sample opens and its config gives a valid spec",
            "§2.2: open: read your config into a ModelConfig ... Hugging Face config.json vocabulary, whatever file it came from",
            "say the config in config.json words (architectures / model_type, hidden_size, num_attention_heads, …)"
                    + " so the architecture's parse accepts it"),
    OPEN_2("OPEN-2", "opening", "the mapping is declared before data is read",
            "§2.5: A mapper never moves bytes. For each native TensorInfo it returns a TensorMapping; unknown names never"
                    + " pass silently",
            "answer map(info) from the name, type and shape alone with to(...)/skip(...); list every tensor the"
                    + " checkpoint holds; never throw"),
    OPEN_3("OPEN-3", "opening", "every canonical weight is produced exactly once",
            "§2.5: every canonical name must be a weight of the model, appear exactly once ...; after a full load every"
                    + " expected weight must be present",
            "map each native tensor to the architecture's weight names (HfNames), once each; skip only what the model"
                    + " does not need"),
    OPEN_4("OPEN-4", "opening", "every weight has the right shape and an accepted dtype",
            "§2.5: have the expected shape and a weight dtype ...; matrices as [out, in]",
            "declare the ops (Transpose, SliceRows, Reshape, Convert) that turn your layout into the canonical shape"),
    OPEN_5("OPEN-5", "opening", "the engine loads the sample's weights",
            "§2.4: read(name) — exactly info.byteSize() bytes, the tensor as list() described it",
            "return from read() exactly the type and shape list() gave, with all its bytes"),

    CONS_1("CONS-1", "consistency", "a live update in native names serves the same weights as the load",
            "§2.2: mapper(spec) — the engine uses it for the initial load and for every live update ...; it must be a"
                    + " pure function of the spec",
            "make mapper(spec) stateless: no caches that change answers, no counters, the same mapping for the same"
                    + " tensor every time"),
    CONS_2("CONS-2", "consistency", "the writer round-trips bit for bit",
            "§2.2: writer() — a CheckpointWriter that writes canonical weights ... as a checkpoint of your format:"
                    + " your mapper's inverse",
            "make the writer apply exactly the inverse of every op your mapper declares, and store values without loss"),
    CONS_3("CONS-3", "consistency", "tokenizers round-trip the sample text",
            "§2.6: A Tokenizer encodes text without BOS ... decodes byte-wise",
            "make decode(encode(text)) give the text back (byte fallback for unknown characters)"),

    ERR_1("ERR-1", "errors", "malformed checkpoints fail with a CheckpointException naming the file",
            "§2: Report problems as CheckpointException ... name the file; anything else your code throws is treated"
                    + " as a bug in the plugin",
            "check sizes and offsets against the file length before reading and throw CheckpointException(\"FILE: what is wrong\")"),
    ERR_2("ERR-2", "errors", "malformed checkpoints fail within a deadline and bounded memory",
            "§2.2: Validate everything you can before the engine reads a byte ... Do not load weights into memory",
            "bound every count and length read from a header before allocating or looping on it"),
    ERR_3("ERR-3", "errors", "detect and open are thread-safe",
            "§2: Be thread-safe and stateless where the docs say so. Formats, mappers and providers are shared by the whole engine",
            "keep no mutable state in the format; give each opened checkpoint its own state"),

    ARCH_1("ARCH-1", "architectures", "describe and parse are inverses on a tiny spec",
            "§2.8: describe(spec) — the inverse [of parse], for writers",
            "write every field parse reads (and every SpecProperty you declare) in describe"),
    ARCH_2("ARCH-2", "architectures", "the forward pass matches the reference composition of its blocks",
            "§2.8: the engine executes the blueprint with its own (vectorised, batched) code",
            "build the blueprint from the blocks that compute what your model computes (norm style, RoPE pairing,"
                    + " biases, activation)");

    private final String id;
    private final String group;
    private final String title;
    private final String docs;
    private final String fix;

    Rule(String id, String group, String title, String docs, String fix) {
        this.id = id;
        this.group = group;
        this.title = title;
        this.docs = docs;
        this.fix = fix;
    }

    /** {@code LOAD-1}: what reports and test names show. */
    public String id() {
        return id;
    }

    /** loading, detection, opening, consistency, errors or architectures. */
    public String group() {
        return group;
    }

    public String title() {
        return title;
    }

    /** The sentence of docs/plugins.md the rule enforces, with its section. */
    public String docs() {
        return docs;
    }

    /** What to change when the rule fails. */
    public String fix() {
        return fix;
    }

    @Override
    public String toString() {
        return id + " " + title;
    }
}
