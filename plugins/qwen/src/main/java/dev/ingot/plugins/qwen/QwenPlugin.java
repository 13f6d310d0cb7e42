package dev.ingot.plugins.qwen;

import dev.ingot.spi.IngotPlugin;
import dev.ingot.spi.model.ModelArchitecture;
import java.util.List;

/** Qwen's dense decoders — Qwen2/Qwen2.5 and Qwen3 — for checkpoints of any format. No formats, no kernels. */
public final class QwenPlugin implements IngotPlugin {

    @Override
    public String name() {
        return "qwen";
    }

    @Override
    public String version() {
        return "0.1.0";
    }

    @Override
    public String spiVersion() {
        return IngotPlugin.SPI_VERSION;
    }

    @Override
    public List<ModelArchitecture> architectures() {
        return List.of(QwenArchitecture.QWEN2, QwenArchitecture.QWEN3);
    }
}
