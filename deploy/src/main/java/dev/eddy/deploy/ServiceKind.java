package dev.eddy.deploy;

/** The five services, with their module, default port and whether they own a database schema. */
public enum ServiceKind {
    CONFIG("config-service", 8080, true),
    SCHEDULER("scheduler-service", 8081, true),
    EXTRACTOR("extractor-service", 8082, false),
    DIFF("diff-service", 8083, true),
    DELIVERY("delivery-service", 8084, false);

    private final String moduleName;
    private final int defaultPort;
    private final boolean database;

    ServiceKind(String moduleName, int defaultPort, boolean database) {
        this.moduleName = moduleName;
        this.defaultPort = defaultPort;
        this.database = database;
    }

    public String moduleName() {
        return moduleName;
    }

    public int defaultPort() {
        return defaultPort;
    }

    public boolean hasDatabase() {
        return database;
    }
}
