package dev.ingot.actor;

import dev.ingot.spi.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Groups tensors, in order and lazily, into buckets of at most {@code bucketBytes} data bytes; a
 * tensor larger than that travels alone. Only the current bucket's tensors are referenced at a time.
 */
final class Buckets implements Iterator<List<Tensor>> {

    private final Iterator<Tensor> tensors;
    private final long bucketBytes;
    private Tensor carried;

    Buckets(Iterator<Tensor> tensors, long bucketBytes) {
        if (bucketBytes < 1) {
            throw new IllegalArgumentException("the bucket size must be positive, got " + bucketBytes);
        }
        this.tensors = tensors;
        this.bucketBytes = bucketBytes;
    }

    @Override
    public boolean hasNext() {
        return carried != null || tensors.hasNext();
    }

    @Override
    public List<Tensor> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        List<Tensor> bucket = new ArrayList<>();
        long bytes = 0;
        while (carried != null || tensors.hasNext()) {
            Tensor t = carried != null ? carried : tensors.next();
            carried = null;
            long size = t.info().byteSize();
            if (!bucket.isEmpty() && bytes + size > bucketBytes) {
                carried = t;
                break;
            }
            bucket.add(t);
            bytes += size;
        }
        return bucket;
    }
}
