package dev.eddy.config.gitsync;

/** Why a file of the repository changed nothing: the file (repository path), the 1-based line, the reason. */
public record FileProblem(String file, int line, String reason) {
}
