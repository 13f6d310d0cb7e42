package dev.ingot.tck.check;

import java.util.List;

/** Every check, in catalogue order: later checks build on the outcomes of earlier ones. */
public final class Checks {

    private Checks() {}

    public static List<Check> all() {
        return List.of(new LoadsIsolated(), new ReferencesOnlySpi(), new CompatibleSpi(), new UniqueNames(),
                new DetectNeverThrows(), new DetectIsCheap(), new ClaimsOwnSamples(), new ClaimsNothingForeign(),
                new OpensWithValidSpec(), new MappingDeclared(), new EveryWeightOnce(), new ShapesAndTypes(), new EngineLoads(),
                new UpdateMatchesLoad(), new WriterRoundTrips(), new TokenizersRoundTrip(),
                new MalformedFailCleanly(), new MalformedBounded(), new ThreadSafe(),
                new DescribeParse(), new ForwardMatchesReference());
    }
}
