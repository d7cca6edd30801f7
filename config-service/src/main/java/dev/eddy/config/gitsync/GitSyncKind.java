package dev.eddy.config.gitsync;

/** The two kinds of object Git Sync writes, and their folders. */
public enum GitSyncKind {
    MODEL("models"), SYNC("syncs");

    private final String folder;

    GitSyncKind(String folder) {
        this.folder = folder;
    }

    public String folder() {
        return folder;
    }

    public String label() {
        return name().toLowerCase();
    }
}
