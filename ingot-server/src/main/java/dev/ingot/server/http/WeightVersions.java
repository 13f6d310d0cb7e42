package dev.ingot.server.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Our extension fields: {@code "weight_version": 3} when one version produced the tokens,
 * {@code "weight_versions": [3, 4]} when a swap with the {@code pause} policy happened mid-way.
 */
final class WeightVersions {

    private WeightVersions() {}

    static void put(ObjectNode node, List<Long> versions) {
        if (versions.size() == 1) {
            node.put("weight_version", versions.getFirst());
        } else if (versions.size() > 1) {
            ArrayNode list = node.putArray("weight_versions");
            versions.forEach(list::add);
        }
    }

    /** The versions of several choices, in order of first use. */
    static List<Long> union(List<List<Long>> perChoice) {
        Set<Long> all = new LinkedHashSet<>();
        perChoice.forEach(all::addAll);
        return new ArrayList<>(all);
    }
}
