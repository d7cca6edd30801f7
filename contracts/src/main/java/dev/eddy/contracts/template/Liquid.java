package dev.eddy.contracts.template;

import liqp.Template;
import liqp.TemplateContext;
import liqp.TemplateParser;
import liqp.filters.Filter;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liqp.parser.Flavor;

import java.io.IOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * Liquid templates (the {@code nl.big-o:liqp} implementation, Shopify's Liquid for Java): parsed once,
 * rendered per row. A parsed template is immutable and may be rendered from several threads.
 * <p>
 * Templates come from API users and Git files, so they are sandboxed: {@code include} (and {@code include_relative},
 * which read files of the host) is refused when the template is parsed and the parser's file resolver refuses every
 * name; {@code render} and any other unknown tag do not parse. A render runs on the caller's thread (liqp's own time
 * limit starts a thread per render and never stops a runaway one) and is bounded by {@link #MAX_RENDER_MILLIS},
 * {@link #MAX_ITERATIONS} loop iterations and {@link #MAX_STRING_CHARS} characters for the output and for every
 * value a filter, {@code assign} or {@code capture} makes.
 */
public final class Liquid {

    /** A render taking longer than this is a runaway loop, not a mapping. */
    public static final long MAX_RENDER_MILLIS = 2_000;
    /** Loop iterations per render (a batch body loops over every row of a batch and its fields). */
    public static final int MAX_ITERATIONS = 1_000_000;
    /** Characters of the rendered text and of any string made while rendering. */
    public static final int MAX_STRING_CHARS = 4 * 1024 * 1024;
    /** Elements of a list a filter makes ({@code split}): each costs tens of bytes of heap. */
    public static final int MAX_LIST_ELEMENTS = 100_000;
    /** Characters of a template's source. */
    public static final int MAX_TEMPLATE_CHARS = 256 * 1024;

    /** A parsed template. */
    public static final class Compiled {
        private final String source;
        private final Template template;

        private Compiled(String source, Template template) {
            this.source = source;
            this.template = template;
        }

        public String source() {
            return source;
        }

        /** Renders with the given variables ({@code row}, {@code sync}, {@code run}, ...); throws on a render error. */
        public String render(Map<String, Object> variables) throws InvalidTemplateException {
            Bounds bounds = new Bounds(System.nanoTime() + MAX_RENDER_MILLIS * 1_000_000L);
            try {
                String rendered = template.renderUnguarded(variables, new BoundedContext(template, bounds), true);
                bounds.checkSize(rendered);
                return rendered;
            } catch (RenderLimitException e) {
                throw new InvalidTemplateException("the template '" + shortSource() + "' cannot be rendered: " + e.getMessage());
            } catch (RuntimeException e) {
                RenderLimitException limit = limitIn(e);
                String why = limit != null ? limit.getMessage() : e.getMessage();
                throw new InvalidTemplateException("the template '" + shortSource() + "' cannot be rendered: " + why);
            }
        }

        private String shortSource() {
            return source.length() <= 200 ? source : source.substring(0, 200) + "...";
        }
    }

    /** A render went past one of the bounds; liqp may wrap it, so it is looked for in the cause chain. */
    private static final class RenderLimitException extends RuntimeException {
        RenderLimitException(String message) {
            super(message, null, false, false);
        }
    }

    /** The bounds of one render, shared by its root context, every child context and every filter call. */
    private static final class Bounds {
        private final long deadlineNanos;

        Bounds(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        void checkTime() {
            if (System.nanoTime() - deadlineNanos > 0) {
                throw new RenderLimitException("it ran longer than " + MAX_RENDER_MILLIS + " ms (a template may loop at most "
                        + MAX_ITERATIONS + " times and must render within that time)");
            }
        }

        void checkSize(Object value) {
            if (value instanceof CharSequence text && text.length() > MAX_STRING_CHARS) {
                throw new RenderLimitException("it made a text longer than " + MAX_STRING_CHARS + " characters");
            }
        }
    }

    /**
     * liqp's context with the render's bounds: every loop iteration ({@code incrementIterations}) checks the clock,
     * and every value stored ({@code assign}, {@code capture}) its size. Child contexts (loops, blocks) share them.
     */
    private static final class BoundedContext extends TemplateContext {
        private final Bounds bounds;

        BoundedContext(Template template, Bounds bounds) {
            super(template, PARSER, new HashMap<>());
            this.bounds = bounds;
        }

        private BoundedContext(Map<String, Object> variables, BoundedContext parent) {
            super(variables, parent);
            this.bounds = parent.bounds;
        }

        @Override
        public TemplateContext newChildContext(Map<String, Object> variables) {
            return new BoundedContext(variables, this);
        }

        @Override
        public TemplateContext newChildContext() {
            return newChildContext(new HashMap<>());
        }

        @Override
        public void incrementIterations() {
            bounds.checkTime();
            super.incrementIterations();
        }

        @Override
        public Object put(String key, Object value) {
            bounds.checkSize(value);
            return super.put(key, value);
        }

        @Override
        public Object put(String key, Object value, boolean mutableInParent) {
            bounds.checkSize(value);
            return super.put(key, value, mutableInParent);
        }
    }

    /** A standard filter whose every result is size-checked, and which checks the render's clock first. */
    private static final class BoundedFilter extends Filter {
        private final Filter delegate;

        BoundedFilter(Filter delegate) {
            super(delegate.name);
            this.delegate = delegate;
        }

        @Override
        public Object apply(Object value, TemplateContext context, Object... params) {
            Bounds bounds = context instanceof BoundedContext bounded ? bounded.bounds : null;
            if (bounds != null) {
                bounds.checkTime();
                checkBeforehand(value, params);
            }
            Object result = delegate.apply(value, context, params);
            if (bounds != null) {
                bounds.checkSize(result);
            }
            return result;
        }

        /**
         * The filters whose one call can make far more than its inputs ({@code replace} multiplies, {@code join} with
         * a long separator, {@code split} into many elements) are bounded before they run: checking only their result
         * would come after the heap is full.
         */
        private void checkBeforehand(Object value, Object[] params) {
            switch (name) {
                case "replace" -> {
                    if (value instanceof CharSequence text && params.length >= 2) {
                        String search = String.valueOf(params[0]);
                        String replacement = String.valueOf(params[1]);
                        long count = search.isEmpty() ? text.length() + 1L : occurrences(text.toString(), search);
                        checkLength(text.length() + count * Math.max(0, replacement.length() - search.length()));
                    }
                }
                case "join" -> {
                    if (params.length >= 1 && (value instanceof Collection<?> || value instanceof Object[])) {
                        Collection<?> items = value instanceof Collection<?> c ? c : java.util.Arrays.asList((Object[]) value);
                        long total = (long) Math.max(0, items.size() - 1) * String.valueOf(params[0]).length();
                        for (Object item : items) {
                            total += item == null ? 0 : String.valueOf(item).length();
                            checkLength(total);
                        }
                        checkLength(total);
                    }
                }
                case "split" -> {
                    if (value instanceof CharSequence text && params.length >= 1) {
                        String separator = String.valueOf(params[0]);
                        long parts = separator.isEmpty() ? text.length() : occurrences(text.toString(), separator) + 1;
                        if (parts > MAX_LIST_ELEMENTS) {
                            throw new RenderLimitException("split would make more than " + MAX_LIST_ELEMENTS + " elements");
                        }
                    }
                }
                default -> {
                }
            }
        }

        private static long occurrences(String text, String search) {
            long count = 0;
            for (int at = text.indexOf(search); at >= 0; at = text.indexOf(search, at + search.length())) {
                count++;
            }
            return count;
        }

        private static void checkLength(long length) {
            if (length > MAX_STRING_CHARS) {
                throw new RenderLimitException("it would make a text longer than " + MAX_STRING_CHARS + " characters");
            }
        }
    }

    private static final TemplateParser PARSER = parser();

    private static TemplateParser parser() {
        TemplateParser.Builder builder = new TemplateParser.Builder()
                .withFlavor(Flavor.LIQP)
                .withStrictVariables(false)
                // no maxRenderTimeMillis: liqp enforces it with a new thread per render (see the class comment)
                .withMaxIterations(MAX_ITERATIONS)
                .withMaxSizeRenderedString(MAX_STRING_CHARS)
                .withMaxTemplateSizeBytes(MAX_TEMPLATE_CHARS * 4L)
                // include is refused at parse time; should one slip through, no name resolves to a file
                .withNameResolver(name -> {
                    throw new IOException("include is not allowed in templates");
                });
        Collection<Filter> standard = Flavor.LIQP.getFilters().values();
        for (Filter filter : standard) {
            builder.withFilter(new BoundedFilter(filter));
        }
        return builder.build();
    }

    private Liquid() {
    }

    /** Parses a template; throws with the parser's message when it is not valid Liquid or uses a refused tag. */
    public static Compiled parse(String source) throws InvalidTemplateException {
        if (source == null) {
            throw new InvalidTemplateException("a template is required");
        }
        if (source.length() > MAX_TEMPLATE_CHARS) {
            throw new InvalidTemplateException("a template may have at most " + MAX_TEMPLATE_CHARS + " characters, not " + source.length());
        }
        Template template;
        try {
            template = PARSER.parse(source);
        } catch (RuntimeException e) {
            throw new InvalidTemplateException("the template '" + source + "' is not valid Liquid: " + e.getMessage());
        }
        String refused = refusedTag(template.getParseTree());
        if (refused != null) {
            throw new InvalidTemplateException(refused + " is not allowed in templates (a template cannot read files)");
        }
        return new Compiled(source, template);
    }

    /** Tag names that read files ({@code include_relative} parses as a plain tag, so it is found by its name). */
    private static final java.util.Set<String> FILE_TAGS = java.util.Set.of("include", "include_relative", "render");

    /** The first tag of the tree that would read a file ({@code include}, {@code include_relative}), or null. */
    private static String refusedTag(ParseTree node) {
        String type = node.getClass().getSimpleName();
        if (type.equals("Include_tagContext") || type.startsWith("Jekyll_include")) {
            return "include";
        }
        if (type.endsWith("_tagContext") && node.getChildCount() > 1 && node.getChild(1).getChildCount() == 0
                && FILE_TAGS.contains(node.getChild(1).getText())) {
            return node.getChild(1).getText();
        }
        for (int i = 0; i < node.getChildCount(); i++) {
            String found = refusedTag(node.getChild(i));
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    private static RenderLimitException limitIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RenderLimitException limit) {
                return limit;
            }
        }
        return null;
    }
}
