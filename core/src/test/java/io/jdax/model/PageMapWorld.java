package io.jdax.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jdax.memory.Region;
import io.jdax.page.FolioOwners;
import io.jdax.page.PageMap;
import io.jdax.page.RefcountException;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.function.Executable;

/**
 * A dax or device page map against a {@link FolioModel}: compound prep and split, references, mapcounts,
 * pins and owners, legal and illegal calls alike. The model decides whether each call is legal; a legal one
 * must succeed with the model's result, an illegal one must throw the documented exception and change
 * nothing (the check after the step compares every page).
 */
final class PageMapWorld implements World {

    enum Op implements WorldKind.Weighted {
        PREP(6), SPLIT(6), INC_REF(10), GET(6), TRY_GET(3), TRY_GET_FOLIO(4), PUT(12), PUT_REFS(4), INC_MAP(6),
        DEC_MAP(5), PIN(5), UNPIN(5), ASSOCIATE(6), DISASSOCIATE(4), ADD_SHARE(3), IS_IDLE(2), AWAIT_IDLE(2);

        private final int weight;

        Op(int weight) {
            this.weight = weight;
        }

        @Override
        public int weight() {
            return weight;
        }
    }

    static final int PAGES = 128;
    private static final int MAX_ORDER = 5;
    private static final int MAX_PLAIN_REFS = 6;

    static WorldKind kind(PageMap.Kind kind) {
        return new WorldKind(kind.name().toLowerCase() + "-map", WorldKind.weightsOf(Op.class),
                () -> new PageMapWorld(kind));
    }

    private final Region region;
    private final PageMap pm;
    private final FolioModel m = new FolioModel(PAGES);

    PageMapWorld(PageMap.Kind kind) {
        region = Region.anonymous(PAGES * PageMap.DEFAULT_PAGE_SIZE);
        try {
            pm = kind == PageMap.Kind.DAX ? PageMap.dax(region) : PageMap.device(region);
        } catch (RuntimeException | Error e) {
            region.close();
            throw e;
        }
    }

    @Override
    public void apply(Step s) throws Exception {
        int pfn = Step.pick(s.a(), PAGES);
        int head = (int) m.headOf[pfn];
        boolean tail = head != pfn;
        Op op = Op.values()[s.op()];
        last = describe(s);
        switch (op) {
            case PREP -> prep(pfn, (int) (s.b() % (MAX_ORDER + 1)));
            case SPLIT -> split(pfn, tail);
            case INC_REF -> {
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.incRef(pfn));
                } else if (m.ref[pfn] % PageMap.PIN_BIAS >= MAX_PLAIN_REFS) {
                    put(pfn, false);
                } else {
                    pm.incRef(pfn);
                    m.ref[pfn]++;
                }
            }
            case GET -> {
                if (tail || m.ref[pfn] == 0) {
                    refused(RefcountException.class, () -> pm.get(pfn));
                } else if (m.ref[pfn] % PageMap.PIN_BIAS < MAX_PLAIN_REFS) {
                    pm.get(pfn);
                    m.ref[pfn]++;
                }
            }
            case TRY_GET -> {
                boolean expect = !tail && m.ref[pfn] > 0 && m.ref[pfn] % PageMap.PIN_BIAS < MAX_PLAIN_REFS;
                if (expect || tail || m.ref[pfn] == 0) {
                    assertEquals(expect, pm.tryGet(pfn), "tryGet(" + pfn + ")");
                    if (expect) {
                        m.ref[pfn]++;
                    }
                }
            }
            case TRY_GET_FOLIO -> {
                if (m.ref[head] % PageMap.PIN_BIAS < MAX_PLAIN_REFS) {
                    long got = pm.tryGetFolio(pfn);
                    assertEquals(m.ref[head] == 0 ? PageMap.NO_FOLIO : head, got, "tryGetFolio(" + pfn + ")");
                    if (got != PageMap.NO_FOLIO) {
                        m.ref[head]++;
                    }
                }
            }
            case PUT -> put(pfn, tail);
            case PUT_REFS -> {
                int n = 1 + (int) (s.b() % 3);
                if (tail || m.ref[pfn] < n) {
                    refused(RefcountException.class, () -> pm.putRefs(pfn, n));
                } else if (canDrop(pfn, n)) {
                    m.ref[pfn] -= n;
                    assertEquals(m.ref[pfn] == 0, pm.putRefs(pfn, n), "putRefs reports the last reference");
                }
            }
            case INC_MAP -> {
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.incMapCount(pfn));
                } else if (m.map[pfn] >= m.ref[pfn]) {
                    refused(IllegalStateException.class, () -> pm.incMapCount(pfn));
                } else {
                    pm.incMapCount(pfn);
                    m.map[pfn]++;
                }
            }
            case DEC_MAP -> {
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.decMapCount(pfn));
                } else if (m.map[pfn] == 0) {
                    refused(IllegalStateException.class, () -> pm.decMapCount(pfn));
                } else {
                    pm.decMapCount(pfn);
                    m.map[pfn]--;
                }
            }
            case PIN -> pin(pfn, head, s.b() % 4 == 0);
            case UNPIN -> unpin(pfn, tail);
            case ASSOCIATE -> associate(pfn, tail, 1 + s.b() % 3, s.c() % 8, s.c() % 3 != 0);
            case DISASSOCIATE -> {
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.owners().disassociate(pfn));
                } else if (!m.owned(pfn)) {
                    refused(IllegalStateException.class, () -> pm.owners().disassociate(pfn));
                } else {
                    long expect = m.share[pfn] > 0 ? m.share[pfn] - 1 : 0;
                    assertEquals(expect, pm.owners().disassociate(pfn), "share after disassociate");
                    m.share[pfn] = expect;
                    m.mapping[pfn] = 0;
                    m.index[pfn] = expect == 0 ? 0 : m.index[pfn];
                }
            }
            case ADD_SHARE -> {
                long delta = (long) (s.b() % 5) - 2;
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.owners().addShare(pfn, delta));
                } else if (m.mapping[pfn] != 0 || m.share[pfn] + delta < 0) {
                    refused(IllegalStateException.class, () -> pm.owners().addShare(pfn, delta));
                } else {
                    m.share[pfn] += delta;
                    assertEquals(m.share[pfn], pm.owners().addShare(pfn, delta), "share after addShare");
                }
            }
            case AWAIT_IDLE -> {
                // a zero timeout tests once: it must answer as isIdle does, and leave no waiter behind
                if (pm.kind() != PageMap.Kind.DAX) {
                    refused(IllegalStateException.class, () -> pm.awaitIdle(head, 0, TimeUnit.NANOSECONDS, null));
                } else if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.awaitIdle(pfn, 0, TimeUnit.NANOSECONDS, null));
                } else {
                    assertEquals(m.ref[pfn] == 0, pm.awaitIdle(pfn, 0, TimeUnit.NANOSECONDS, null), "awaitIdle");
                    assertEquals(0, pm.idleWaiterCount(pfn), "idle waiters after a timed-out wait");
                }
            }
            case IS_IDLE -> {
                if (tail) {
                    refused(IllegalArgumentException.class, () -> pm.isIdle(pfn));
                } else {
                    assertEquals(m.ref[pfn] == 0, pm.isIdle(pfn), "isIdle(" + pfn + ")");
                }
            }
        }
    }

    private void prep(int pfn, int order) {
        int head = pfn & -(1 << order);
        boolean ok = true;
        for (int p = head; p < head + (1 << order); p++) {
            if (m.isTail(p) || m.order[p] != 0 || m.ref[p] != 0 || m.owned(p) || m.map[p] != 0) {
                ok = false;
            }
        }
        if (!ok) {
            refused(IllegalStateException.class, () -> pm.prepCompound(head, order));
        } else {
            pm.prepCompound(head, order);
            m.prep(head, order);
        }
        if (pfn != head) {
            refused(IllegalArgumentException.class, () -> pm.prepCompound(pfn, order));
        }
    }

    private void split(int pfn, boolean tail) {
        if (tail) {
            refused(IllegalArgumentException.class, () -> pm.split(pfn));
        } else if (m.share[pfn] > 0 || m.ref[pfn] != 0 || m.map[pfn] != 0 || m.pins[pfn] != 0) {
            refused(IllegalStateException.class, () -> pm.split(pfn));
        } else {
            pm.split(pfn);
            m.split(pfn);
        }
    }

    private void put(int pfn, boolean tail) {
        if (tail || m.ref[pfn] == 0) {
            refused(RefcountException.class, () -> pm.put(pfn));
        } else if (canDrop(pfn, 1)) {
            m.ref[pfn]--;
            assertEquals(m.ref[pfn] == 0, pm.put(pfn), "put reports the last reference");
        }
    }

    /**
     * References are anonymous, so a put of one that a pin or a mapping holds is a caller's bug the map cannot
     * always see: a put below the mapcount is accepted today (the folio then reads idle while mapped), and a
     * put of a pin's reference makes the unpin fail later. The model only drops references nobody else holds.
     */
    private boolean canDrop(int head, int n) {
        return m.ref[head] - n >= m.map[head] + pinRefs(head);
    }

    private int pinRefs(int head) {
        return m.order[head] == 0 ? m.ref[head] / PageMap.PIN_BIAS * PageMap.PIN_BIAS : m.pins[head];
    }

    private void pin(int pfn, int head, boolean longTerm) {
        if (longTerm && pm.kind() == PageMap.Kind.DAX) {
            refused(IllegalArgumentException.class, () -> pm.pins().pin(pfn, true));
        } else if (m.ref[head] == 0) {
            refused(IllegalStateException.class, () -> pm.pins().pin(pfn, longTerm));
        } else if (m.ref[head] < 4 * PageMap.PIN_BIAS) {
            assertEquals(head, pm.pins().pin(pfn, longTerm), "pin(" + pfn + ") returns the head");
            m.ref[head] += m.order[head] == 0 ? PageMap.PIN_BIAS : 1;
            if (m.order[head] != 0) {
                m.pins[head]++;
            }
        }
    }

    private void unpin(int pfn, boolean tail) {
        if (tail) {
            refused(IllegalArgumentException.class, () -> pm.pins().unpin(pfn));
        } else if (m.order[pfn] == 0 ? m.ref[pfn] < PageMap.PIN_BIAS : m.pins[pfn] == 0) {
            refused(IllegalStateException.class, () -> pm.pins().unpin(pfn));
        } else if (m.ref[pfn] - pinRefs(pfn) >= m.map[pfn]) { // a mapping may count on the pin's reference
            pm.pins().unpin(pfn);
            if (m.order[pfn] == 0) {
                m.ref[pfn] -= PageMap.PIN_BIAS;
            } else {
                m.pins[pfn]--;
                m.ref[pfn]--;
            }
        }
    }

    private void associate(int pfn, boolean tail, long id, long index, boolean shared) {
        FolioOwners o = pm.owners();
        if (tail) {
            refused(IllegalArgumentException.class, () -> o.associate(pfn, id, index, shared));
        } else if (!m.owned(pfn)) {
            assertEquals(0, o.associate(pfn, id, index, shared), "associate of an unowned folio");
            m.mapping[pfn] = id;
            m.index[pfn] = index;
        } else if (!shared) {
            refused(IllegalStateException.class, () -> o.associate(pfn, id, index, false));
        } else {
            long expect = m.share[pfn] > 0 ? m.share[pfn] + 1 : 2;
            assertEquals(expect, o.associate(pfn, id, index, true), "share after a shared associate");
            m.share[pfn] = expect;
            m.mapping[pfn] = 0;
            m.index[pfn] = 0;
        }
    }

    /** The call throws exactly {@code type}; the check after the step proves that it changed nothing. */
    private static void refused(Class<? extends Throwable> type, Executable call) {
        Throwable t = assertThrows(Throwable.class, call, "the model expected " + type.getSimpleName());
        if (!type.isInstance(t)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + t, t);
        }
    }

    @Override
    public void check() {
        for (int p = 0; p < PAGES; p++) {
            int head = (int) m.headOf[p];
            if (pm.folioOf(p) != head) {
                throw new AssertionError("page " + p + " is in folio " + pm.folioOf(p) + ", model says " + head);
            }
            if (head != p) {
                if (pm.refCount(p) != 0) {
                    throw new AssertionError("tail page " + p + " has refcount " + pm.refCount(p));
                }
                continue;
            }
            expect(p, "order", m.order[p], pm.order(p));
            expect(p, "refcount", m.ref[p], pm.refCount(p));
            expect(p, "mapcount", m.map[p], pm.mapCount(p));
            expect(p, "pin count", m.order[p] == 0 ? m.ref[p] / PageMap.PIN_BIAS : m.pins[p], pm.pins().pinCount(p));
            FolioOwners o = pm.owners();
            expect(p, "owner", m.mapping[p], o.mapping(p));
            expect(p, "shared", m.share[p] > 0 ? 1 : 0, o.isShared(p) ? 1 : 0);
            if (m.mapping[p] != 0) {
                expect(p, "index", m.index[p], o.index(p));
            } else {
                expect(p, "share", m.share[p], o.share(p));
            }
        }
    }

    private static void expect(int pfn, String what, long model, long real) {
        if (model != real) {
            throw new AssertionError("pfn " + pfn + ": " + what + " is " + real + ", model says " + model);
        }
    }

    private String last = "";

    @Override
    public String lastStep() {
        return last;
    }

    private static String describe(Step s) {
        Op op = Op.values()[s.op()];
        String args = switch (op) {
            case PREP -> ", order " + s.b() % (MAX_ORDER + 1);
            case PUT_REFS -> ", n " + (1 + s.b() % 3);
            case PIN -> s.b() % 4 == 0 ? ", long-term" : "";
            case ASSOCIATE -> ", mapping " + (1 + s.b() % 3) + ", index " + s.c() % 8 + (s.c() % 3 != 0 ? ", shared" : "");
            case ADD_SHARE -> ", delta " + (s.b() % 5 - 2);
            default -> "";
        };
        return op + "(pfn " + Step.pick(s.a(), PAGES) + args + ")";
    }

    @Override
    public void close() {
        pm.close();
        region.close();
    }
}
