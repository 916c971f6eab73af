package io.datalake.cli.internal;

import io.datalake.lineage.Lineage;
import io.datalake.lineage.LineageEdge;
import io.datalake.lineage.LineageNode;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bson.types.ObjectId;
import org.jspecify.annotations.Nullable;

/** The output formats of {@code datalake lineage}. */
enum LineageFormat {
    /** An indented tree for reading in a terminal. */
    TREE {
        @Override
        String render(Lineage lineage, boolean unicode) {
            StringBuilder out = new StringBuilder();
            Set<ObjectId> printed = new HashSet<>();
            LineageNode top = lineage.top();
            out.append(line(lineage, top)).append('\n');
            printed.add(top.id());
            children(lineage, top.id(), "", unicode, printed, out);
            for (String note : notes(lineage)) {
                out.append("(").append(note).append(")\n");
            }
            return out.toString();
        }

        private void children(Lineage lineage, ObjectId parent, String indent, boolean unicode,
                Set<ObjectId> printed, StringBuilder out) {
            List<ObjectId> kids = lineage.children(parent);
            for (int i = 0; i < kids.size(); i++) {
                ObjectId kid = kids.get(i);
                // A cycle written by another client would otherwise print forever.
                if (!printed.add(kid)) {
                    continue;
                }
                boolean last = i == kids.size() - 1;
                String branch = unicode ? (last ? "\u2514\u2500\u2500 " : "\u251c\u2500\u2500 ") : (last ? "`-- " : "|-- ");
                String carry = unicode ? (last ? "    " : "\u2502   ") : (last ? "    " : "|   ");
                out.append(indent).append(branch).append(line(lineage, lineage.node(kid))).append('\n');
                children(lineage, kid, indent + carry, unicode, printed, out);
            }
        }

        private String line(Lineage lineage, @Nullable LineageNode node) {
            if (node == null) {
                return "?";
            }
            // Going down, the start is the top line anyway; otherwise point it out among its ancestors.
            String start = node.id().equals(lineage.start()) && !lineage.top().id().equals(lineage.start())
                    ? "  <- start" : "";
            return node.id().toHexString() + "  " + node.summary() + "  (" + TIME.format(node.addedAt()) + ")"
                    + start;
        }
    },

    /** The nodes and edges as one JSON document. */
    JSON {
        @Override
        String render(Lineage lineage, boolean unicode) {
            Map<String, @Nullable Object> json = new LinkedHashMap<>();
            json.put("start", lineage.start().toHexString());
            json.put("direction", lineage.direction().name().toLowerCase(java.util.Locale.ROOT));
            json.put("max_depth", lineage.maxDepth());
            json.put("truncated", lineage.truncated());
            json.put("depth_limited", lineage.depthLimited());
            List<Object> nodes = new ArrayList<>();
            for (LineageNode node : lineage.nodes()) {
                Map<String, @Nullable Object> n = new LinkedHashMap<>();
                n.put("id", node.id().toHexString());
                n.put("derived_from", node.derivedFrom() == null ? null : node.derivedFrom().toHexString());
                n.put("added_at", node.addedAt().toString());
                n.put("depth", node.depth());
                n.put("type", node.type());
                n.put("summary", node.summary());
                n.put("in_registry", node.inRegistry());
                nodes.add(n);
            }
            json.put("nodes", nodes);
            List<Object> edges = new ArrayList<>();
            for (LineageEdge edge : lineage.edges()) {
                edges.add(Map.of("parent", edge.parent().toHexString(), "child", edge.child().toHexString()));
            }
            json.put("edges", edges);
            return Json.write(json, true) + "\n";
        }
    },

    /** Graphviz DOT: {@code dot -Tpng} draws it. */
    DOT {
        @Override
        String render(Lineage lineage, boolean unicode) {
            StringBuilder out = new StringBuilder("digraph lineage {\n");
            out.append("  rankdir=TB;\n");
            out.append("  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n");
            for (LineageNode node : lineage.nodes()) {
                // An HTML-like label: a line break that every DOT parser accepts, and well-defined escaping.
                out.append("  \"").append(node.id().toHexString()).append("\" [label=<")
                        .append(htmlEscape(node.summary())).append("<BR/>").append(node.id().toHexString())
                        .append(">");
                if (node.id().equals(lineage.start())) {
                    out.append(", penwidth=2.5");
                }
                out.append("];\n");
            }
            for (LineageEdge edge : lineage.edges()) {
                out.append("  \"").append(edge.parent().toHexString()).append("\" -> \"")
                        .append(edge.child().toHexString()).append("\";\n");
            }
            return out.append("}\n").toString();
        }
    },

    /** A Mermaid flowchart: renders in GitHub Markdown and with {@code mmdc}. */
    MERMAID {
        @Override
        String render(Lineage lineage, boolean unicode) {
            StringBuilder out = new StringBuilder("flowchart TD\n");
            Map<ObjectId, String> names = new HashMap<>();
            for (LineageNode node : lineage.nodes()) {
                String name = "n" + names.size();
                names.put(node.id(), name);
                out.append("  ").append(name).append("[\"").append(mermaidEscape(node.summary())).append("<br/>")
                        .append(node.id().toHexString()).append("\"]\n");
            }
            for (LineageEdge edge : lineage.edges()) {
                out.append("  ").append(names.get(edge.parent())).append(" --> ").append(names.get(edge.child()))
                        .append('\n');
            }
            out.append("  style ").append(names.get(lineage.start())).append(" stroke-width:3px\n");
            return out.toString();
        }
    };

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /**
     * Renders a lineage.
     *
     * @param lineage the lineage
     * @param unicode whether box-drawing characters may be used
     * @return the text, ending with a newline
     */
    abstract String render(Lineage lineage, boolean unicode);

    /** Says what the walk left out, so a cut is never silent. */
    static List<String> notes(Lineage lineage) {
        List<String> notes = new ArrayList<>();
        if (lineage.truncated()) {
            notes.add("truncated at " + lineage.nodes().size() + " datums: raise --max-nodes to see more");
        }
        if (lineage.depthLimited()) {
            notes.add("more datums lie beyond depth " + lineage.maxDepth() + ": raise --depth to see them");
        }
        return notes;
    }

    static String htmlEscape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;")
                .replace("\n", " ");
    }

    static String mermaidEscape(String s) {
        return s.replace("#", "#35;").replace("\"", "#quot;").replace("<", "#lt;").replace(">", "#gt;")
                .replace("\n", " ");
    }
}
