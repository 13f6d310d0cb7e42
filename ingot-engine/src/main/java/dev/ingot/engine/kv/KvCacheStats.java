package dev.ingot.engine.kv;

/**
 * A snapshot of a block pool for {@code /metrics}.
 *
 * @param blockBytes        bytes of one block (all layers, keys and values)
 * @param blockPositions    positions one block holds
 * @param blocksTotal       blocks the budget allows
 * @param blocksUsed        blocks some sequence holds now
 * @param blocksFree        blocks nobody holds and the prefix cache does not keep (including never allocated ones)
 * @param blocksCached      blocks nobody holds that the prefix cache keeps for reuse (evicted first-in LRU when needed)
 * @param prefixLookupTokens prompt tokens looked up in the prefix cache
 * @param prefixHitTokens   of those, tokens whose KV was found and reused
 * @param preemptions       running sequences and prompts whose blocks were taken back to make room (they recompute later)
 */
public record KvCacheStats(KvDtype dtype, long blockBytes, int blockPositions, int blocksTotal, int blocksUsed,
        int blocksFree, int blocksCached, long prefixLookupTokens, long prefixHitTokens, long preemptions) {

    public long bytesTotal() {
        return blockBytes * blocksTotal;
    }
}
