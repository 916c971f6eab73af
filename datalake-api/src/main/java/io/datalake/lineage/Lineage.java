package io.datalake.lineage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/**
 * The subgraph of the lake around one datum: its ancestors and/or descendants as {@link LineageNode}s and the
 * {@link LineageEdge}s between them. Returned by {@link io.datalake.Datalake#getLineage}.
 *
 * <p>A walk stops at {@link #maxDepth()} levels from the start and at a node limit. Neither cut is silent:
 * {@link #depthLimited()} tells whether datums exist beyond the depth limit and {@link #truncated()} whether the
 * node limit left some out. A lake whose links form a cycle (which the API cannot create but another writer could)
 * yields each datum once.
 *
 * <p>Immutable.
 */
public final class Lineage {
    /** Levels walked in each direction when the caller does not say. */
    public static final int DEFAULT_MAX_DEPTH = 20;
    /** Nodes a walk collects at most when the caller does not say; bounds the memory a huge tree can take. */
    public static final int DEFAULT_MAX_NODES = 10_000;

    private final ObjectId start;
    private final LineageDirection direction;
    private final int maxDepth;
    private final List<LineageNode> nodes;
    private final List<LineageEdge> edges;
    private final boolean truncated;
    private final boolean depthLimited;
    private final Map<ObjectId, LineageNode> byId;
    private final Map<ObjectId, List<ObjectId>> childrenById;

    /**
     * Creates a lineage.
     *
     * @param start the id the walk started from; must be one of the nodes
     * @param direction the direction walked
     * @param maxDepth the depth limit the walk used
     * @param nodes the nodes, ordered by depth (topmost ancestor first) and, within a depth, oldest first
     * @param edges the parent-child links between nodes
     * @param truncated whether the node limit left datums out
     * @param depthLimited whether datums exist beyond the depth limit in a walked direction
     * @throws IllegalArgumentException if the start is not a node, an id appears twice, or an edge names an id
     *     that is not a node
     */
    public Lineage(
            ObjectId start,
            LineageDirection direction,
            int maxDepth,
            List<LineageNode> nodes,
            List<LineageEdge> edges,
            boolean truncated,
            boolean depthLimited) {
        this.start = Objects.requireNonNull(start, "start");
        this.direction = Objects.requireNonNull(direction, "direction");
        this.maxDepth = maxDepth;
        this.nodes = List.copyOf(nodes);
        this.edges = List.copyOf(edges);
        this.truncated = truncated;
        this.depthLimited = depthLimited;
        Map<ObjectId, LineageNode> index = new LinkedHashMap<>();
        for (LineageNode node : this.nodes) {
            if (index.put(node.id(), node) != null) {
                throw new IllegalArgumentException("node " + node.id() + " appears twice");
            }
        }
        if (!index.containsKey(start)) {
            throw new IllegalArgumentException("start " + start + " is not among the nodes");
        }
        Map<ObjectId, List<ObjectId>> children = new LinkedHashMap<>();
        for (LineageEdge edge : this.edges) {
            if (!index.containsKey(edge.parent()) || !index.containsKey(edge.child())) {
                throw new IllegalArgumentException("edge " + edge + " names an id that is not a node");
            }
            children.computeIfAbsent(edge.parent(), k -> new ArrayList<>()).add(edge.child());
        }
        children.replaceAll((k, v) -> Collections.unmodifiableList(v));
        this.byId = Collections.unmodifiableMap(index);
        this.childrenById = Collections.unmodifiableMap(children);
    }

    /**
     * Returns the id the walk started from.
     *
     * @return the starting datum's id
     */
    public ObjectId start() {
        return start;
    }

    /**
     * Returns the node of the starting datum.
     *
     * @return the node at depth 0
     */
    public LineageNode startNode() {
        // The constructor refuses a start that is not among the nodes.
        return Objects.requireNonNull(byId.get(start), "start node");
    }

    /**
     * Returns the direction walked.
     *
     * @return the direction
     */
    public LineageDirection direction() {
        return direction;
    }

    /**
     * Returns the depth limit of the walk.
     *
     * @return the most levels walked in each direction
     */
    public int maxDepth() {
        return maxDepth;
    }

    /**
     * Returns every node, ordered by depth (topmost ancestor first, then the start, then its children, ...) and,
     * within one depth, oldest first.
     *
     * @return an unmodifiable list, never empty
     */
    public List<LineageNode> nodes() {
        return nodes;
    }

    /**
     * Returns the parent-child links between the nodes, in the order of the children in {@link #nodes()}.
     *
     * @return an unmodifiable list
     */
    public List<LineageEdge> edges() {
        return edges;
    }

    /**
     * Tells whether the node limit was reached and datums were left out.
     *
     * @return true when the lineage is incomplete because of the node limit
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Tells whether datums exist beyond {@link #maxDepth()} in a walked direction.
     *
     * @return true when a deeper walk would find more datums
     */
    public boolean depthLimited() {
        return depthLimited;
    }

    /**
     * Looks up a node.
     *
     * @param id a datum id
     * @return the node, or null when the datum is not part of this lineage
     */
    public @Nullable LineageNode node(ObjectId id) {
        return byId.get(id);
    }

    /**
     * Returns the ids of a node's children within this lineage, oldest first.
     *
     * @param id a node's id
     * @return an unmodifiable list, empty for a leaf or an id that is not a node
     */
    public List<ObjectId> children(ObjectId id) {
        return childrenById.getOrDefault(id, List.of());
    }

    /**
     * Returns the topmost node: the farthest ancestor walked, or the start when no ancestor was walked.
     *
     * @return the first node
     */
    public LineageNode top() {
        return nodes.get(0);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Lineage)) {
            return false;
        }
        Lineage other = (Lineage) o;
        return start.equals(other.start) && direction == other.direction && maxDepth == other.maxDepth
                && truncated == other.truncated && depthLimited == other.depthLimited
                && nodes.equals(other.nodes) && edges.equals(other.edges);
    }

    @Override
    public int hashCode() {
        return Objects.hash(start, direction, maxDepth, nodes, edges, truncated, depthLimited);
    }

    @Override
    public String toString() {
        return "Lineage{start=" + start + ", direction=" + direction + ", maxDepth=" + maxDepth
                + ", nodes=" + nodes.size() + ", edges=" + edges.size()
                + (truncated ? ", truncated" : "") + (depthLimited ? ", depthLimited" : "") + "}";
    }
}
