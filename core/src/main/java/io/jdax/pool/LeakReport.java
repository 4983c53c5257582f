package io.jdax.pool;

import java.util.Optional;

/**
 * A buffer that was not released: found unreachable by the garbage collector ({@code reclaimed}: its memory
 * went back to the pool) or still outstanding when the pool closed.
 *
 * @param bytes          the buffer's size
 * @param allocationSite where it was allocated ({@link PoolMode#CHECKED} only)
 * @param reclaimed      whether the pool took the memory back itself
 */
public record LeakReport(long bytes, Optional<Throwable> allocationSite, boolean reclaimed) {

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("leaked buffer of ").append(bytes).append(" bytes")
                .append(reclaimed ? " (reclaimed after GC)" : " (outstanding at close)");
        allocationSite.ifPresentOrElse(t -> {
            s.append(", allocated at:");
            for (StackTraceElement e : t.getStackTrace()) {
                s.append("\n\tat ").append(e);
            }
        }, () -> s.append("; use PoolMode.CHECKED to record allocation sites"));
        return s.toString();
    }
}
