package dev.eddy.deploy.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The peak heap of each service over a measuring window: the largest heap occupancy just before a
 * collection in the service's GC log (where occupancy peaks), and the occupancy at the window's end from
 * one {@code jstat -gc} sample. Reading logs costs the measured services nothing.
 */
final class CdcHeapSampler {

    private static final Pattern PAUSE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)");

    private final List<CdcServiceProcess> services;
    private final Map<CdcServiceProcess, Long> peaks = new HashMap<>();

    CdcHeapSampler(List<CdcServiceProcess> services) {
        this.services = services;
    }

    void start() {
        peaks.clear();
    }

    void stop() {
        for (CdcServiceProcess service : services) {
            long peak = Math.max(fromGcLog(service), jstatUsedMiB(service.pid()));
            peaks.put(service, peak);
        }
    }

    long peakHeapMiB(CdcServiceProcess service) {
        return peaks.getOrDefault(service, -1L);
    }

    private static long fromGcLog(CdcServiceProcess service) {
        long peak = 0;
        try (RandomAccessFile file = new RandomAccessFile(service.gcLog().toFile(), "r")) {
            file.seek(service.gcLogMark());
            byte[] bytes = new byte[(int) (file.length() - service.gcLogMark())];
            file.readFully(bytes);
            Matcher m = PAUSE.matcher(new String(bytes, StandardCharsets.UTF_8));
            while (m.find()) {
                peak = Math.max(peak, Long.parseLong(m.group(1)));
            }
        } catch (IOException e) {
            return -1;
        }
        return peak;
    }

    /** Heap in use now (survivors + eden + old), from {@code jstat -gc}; -1 when jstat is unavailable. */
    private static long jstatUsedMiB(long pid) {
        try {
            Process jstat = new ProcessBuilder(System.getProperty("java.home") + "/bin/jstat", "-gc", String.valueOf(pid))
                    .redirectErrorStream(true).start();
            String out = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            jstat.waitFor(10, TimeUnit.SECONDS);
            String[] lines = out.strip().split("\n");
            if (lines.length < 2) {
                return -1;
            }
            String[] header = lines[0].trim().split("\\s+");
            String[] values = lines[1].trim().split("\\s+");
            double kb = 0;
            for (int i = 0; i < header.length && i < values.length; i++) {
                if (List.of("S0U", "S1U", "EU", "OU").contains(header[i])) {
                    kb += Double.parseDouble(values[i]);
                }
            }
            return (long) (kb / 1024);
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
