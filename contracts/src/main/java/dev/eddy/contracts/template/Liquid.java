package dev.eddy.contracts.template;

import liqp.Template;
import liqp.TemplateParser;

import java.util.Map;

/**
 * Liquid templates (the {@code nl.big-o:liqp} implementation, Shopify's Liquid for Java): parsed once,
 * rendered per row. A parsed template is immutable and may be rendered from several threads.
 */
public final class Liquid {

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
            try {
                return template.render(variables);
            } catch (RuntimeException e) {
                throw new InvalidTemplateException("the template '" + source + "' cannot be rendered: " + e.getMessage());
            }
        }
    }

    // a template rendering for longer than this is a runaway loop, not a mapping
    private static final TemplateParser PARSER = new TemplateParser.Builder()
            .withStrictVariables(false)
            .withMaxRenderTimeMillis(2_000)
            .build();

    private Liquid() {
    }

    /** Parses a template; throws with the parser's message when it is not valid Liquid. */
    public static Compiled parse(String source) throws InvalidTemplateException {
        try {
            return new Compiled(source, PARSER.parse(source));
        } catch (RuntimeException e) {
            throw new InvalidTemplateException("the template '" + source + "' is not valid Liquid: " + e.getMessage());
        }
    }
}
