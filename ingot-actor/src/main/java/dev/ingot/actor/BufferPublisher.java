package dev.ingot.actor;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a fixed list of buffers to the HTTP client as it asks for them, so a bucket streams from
 * the tensors' memory to the socket without being assembled anywhere. Every subscription starts from
 * the first buffer (the client subscribes again when it resends a request).
 */
final class BufferPublisher implements Flow.Publisher<ByteBuffer> {

    private final List<ByteBuffer> buffers;

    BufferPublisher(List<ByteBuffer> buffers) {
        this.buffers = List.copyOf(buffers);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
        subscriber.onSubscribe(new Subscription(subscriber));
    }

    private final class Subscription implements Flow.Subscription {

        private final Flow.Subscriber<? super ByteBuffer> subscriber;
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean draining = new AtomicBoolean();
        private volatile boolean cancelled;
        private int next;

        Subscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancelled = true;
                subscriber.onError(new IllegalArgumentException("request(" + n + "): demand must be positive"));
                return;
            }
            demand.getAndAccumulate(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            drain();
        }

        /** Emits while there is demand; re-entrant calls from onNext only add demand and let the running loop go on. */
        private void drain() {
            while (draining.compareAndSet(false, true)) {
                try {
                    while (!cancelled && demand.get() > 0 && next < buffers.size()) {
                        demand.decrementAndGet();
                        subscriber.onNext(buffers.get(next++).duplicate());
                    }
                    if (!cancelled && next == buffers.size()) {
                        cancelled = true;
                        subscriber.onComplete();
                    }
                } finally {
                    draining.set(false);
                }
                if (cancelled || demand.get() == 0 || next >= buffers.size()) {
                    return;
                }
            }
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }
}
