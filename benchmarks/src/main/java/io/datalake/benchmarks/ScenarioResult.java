package io.datalake.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** What one scenario measured, or why it did not run. */
final class ScenarioResult {
    final int number;
    final String title;
    final List<String> setup = new ArrayList<>();
    final List<Figure> figures = new ArrayList<>();
    final List<Check> checks = new ArrayList<>();
    final List<String> notes = new ArrayList<>();
    @Nullable String notRun;

    ScenarioResult(int number, String title) {
        this.number = number;
        this.title = title;
    }

    static ScenarioResult notRun(int number, String title, String why) {
        ScenarioResult result = new ScenarioResult(number, title);
        result.notRun = why;
        return result;
    }

    Figure timed(Map<String, Stats> stats, String name, double items, String itemUnit) {
        Figure figure = Figure.timed(name, Stats.in(stats, name), items, itemUnit);
        figures.add(figure);
        return figure;
    }

    boolean ran() {
        return notRun == null;
    }
}
