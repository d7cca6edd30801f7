package dev.eddy.contracts.template;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Templates cannot read files, and a runaway template ends within its bounds on the caller's thread. */
class LiquidSandboxTest {

    @Test
    void includeOfTheProcessEnvironmentIsRefusedAtParse() {
        InvalidTemplateException e = assertThrows(InvalidTemplateException.class,
                () -> Liquid.parse("{\"env\": \"{% include '/proc/self/environ' %}\"}"));
        assertTrue(e.getMessage().contains("include is not allowed in templates"), e.getMessage());
    }

    @Test
    void includeOfAnyNameAndIncludeRelativeAreRefused() {
        for (String template : new String[]{"{% include 'x' %}", "a {% if true %}{% include x.liquid %}{% endif %}",
                "{% include_relative secrets.txt %}", "{% include '../../etc/passwd' with row %}"}) {
            InvalidTemplateException e = assertThrows(InvalidTemplateException.class, () -> Liquid.parse(template), template);
            assertTrue(e.getMessage().contains("is not allowed in templates"), e.getMessage());
        }
    }

    @Test
    void renderAndUnknownTagsDoNotParse() {
        for (String template : new String[]{"{% render 'x' %}", "{% render '/proc/self/environ' %}", "{% layout 'x' %}"}) {
            assertThrows(InvalidTemplateException.class, () -> Liquid.parse(template), template);
        }
    }

    @Test
    void aHugeLoopEndsWithinTheBoundWithAClearError() throws Exception {
        Liquid.Compiled loop = Liquid.parse("{% for i in (1..100000000) %}{{ i }}{% endfor %}");
        long start = System.nanoTime();
        InvalidTemplateException e = assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> assertThrows(InvalidTemplateException.class, () -> loop.render(Map.of())));
        assertTrue(e.getMessage().contains("cannot be rendered"), e.getMessage());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 15_000, "ended within the bound");
    }

    @Test
    void nestedLoopsEndOnTheClockOrTheIterationCount() throws Exception {
        Liquid.Compiled loop = Liquid.parse("{% for i in (1..100000) %}{% for j in (1..100000) %}{% endfor %}{% endfor %}");
        InvalidTemplateException e = assertThrows(InvalidTemplateException.class, () -> loop.render(Map.of()));
        assertTrue(e.getMessage().contains("cannot be rendered"), e.getMessage());
    }

    @Test
    void aStringDoubledByAssignStopsAtTheSizeBoundInsteadOfFillingTheHeap() throws Exception {
        Liquid.Compiled doubling = Liquid.parse("{% assign s = 'xxxxxxxx' %}{% for i in (1..60) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}");
        InvalidTemplateException e = assertThrows(InvalidTemplateException.class, () -> doubling.render(Map.of()));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
        Liquid.Compiled replace = Liquid.parse("{% capture a %}{% for i in (1..2000) %}x{% endfor %}{% endcapture %}"
                + "{{ a | replace: 'x', a | replace: 'x', a | size }}");
        e = assertThrows(InvalidTemplateException.class, () -> replace.render(Map.of()));
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    @Test
    void rendersStartNoThreadAndLeaveNoneBehind() throws Exception {
        Liquid.Compiled ok = Liquid.parse("{{ row.name | upcase }}");
        Liquid.Compiled runaway = Liquid.parse("{% for i in (1..100000000) %}{{ i }}{% endfor %}");
        ok.render(Map.of("row", Map.of("name", "warm")));
        int before = Thread.activeCount();
        for (int i = 0; i < 500; i++) {
            assertEquals("ADA", ok.render(Map.of("row", Map.of("name", "ada"))));
        }
        for (int i = 0; i < 3; i++) {
            assertThrows(InvalidTemplateException.class, () -> runaway.render(Map.of()));
        }
        assertTrue(Thread.activeCount() <= before, "threads before " + before + ", after " + Thread.activeCount());
    }

    @Test
    void ordinaryTemplatesStillRender() throws Exception {
        assertEquals("{\"n\": \"ADA\", \"k\": 3}", Liquid.parse("{\"n\": {{ row.name | upcase | json }}, \"k\": {{ row.id }}}")
                .render(Map.of("row", Map.of("name", "ada", "id", 3))));
        assertEquals("a,b,c", Liquid.parse("{% for x in row.xs %}{{ x }}{% unless forloop.last %},{% endunless %}{% endfor %}")
                .render(Map.of("row", Map.of("xs", java.util.List.of("a", "b", "c")))));
    }

    @Test
    void anOversizedTemplateIsRefused() {
        InvalidTemplateException e = assertThrows(InvalidTemplateException.class, () -> Liquid.parse("x".repeat(Liquid.MAX_TEMPLATE_CHARS + 1)));
        assertTrue(e.getMessage().contains("at most"), e.getMessage());
    }
}
