package dev.ingot.server.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TableTest {

    @Test
    void padsColumnsToTheWidestCellAndRightAlignsNumbers() {
        Table table = new Table("#", "NAME", "TIME").rightAligned(0, 2);
        table.row(1, "load", "412.0 ms").row(10, "update v2", "3.1 ms");
        assertThat(table.lines("  ")).containsExactly(
                "   #  NAME" + " ".repeat(11) + "TIME",
                "  --  ---------  --------",
                "   1  load" + " ".repeat(7) + "412.0 ms",
                "  10  update v2" + " ".repeat(4) + "3.1 ms");
    }

    @Test
    void aRowOfTheWrongWidthIsABug() {
        assertThatThrownBy(() -> new Table("A", "B").row("only one"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a row of this table has 2 cells, got 1");
    }
}
