package dev.ingot.engine.schedule;

/** What holds KV blocks and can be preempted: a running sequence, or a prompt being fed. */
sealed interface BlockHolder permits Sequence, Prefill {}
