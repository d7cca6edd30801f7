package dev.eddy.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eddy.testsupport.RecordingHttpSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The operations dashboard in a real headless Chromium (Debian's chromium + chromedriver) against the suite
 * started as {@code ./eddy local} starts it: sign in, see the sync, run it, watch the run finish, open a
 * rejected row, test a row. Screenshots land in {@code target/screenshots/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardBrowserTest {

    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    static Path home;

    private static LaunchedSuite suite;
    private static EddyApi api;
    private static RecordingHttpSink sink;
    private static WebDriver browser;
    private static WebDriverWait wait;
    private static String syncId;

    @BeforeAll
    static void start() throws Exception {
        suite = new LaunchedSuite(home.resolve("eddy-home"), "dashboard-api-key");
        suite.start();
        api = new EddyApi(suite.apiBase(), suite.apiKey);
        sink = new RecordingHttpSink();
        // the destination refuses rows of the "blocked" plan with a 422, so the run has rejected rows to show
        sink.respondWith(r -> r.body().contains("\"blocked\"")
                ? new RecordingHttpSink.Response(422, "{\"error\":\"plan blocked is not allowed\"}", Map.of())
                : RecordingHttpSink.Response.ok());
        warehouse("DROP TABLE IF EXISTS dash_people",
                "CREATE TABLE dash_people (id int PRIMARY KEY, email text, plan text)",
                "INSERT INTO dash_people VALUES (1,'ann@x.io','pro'),(2,'bob@x.io','free'),(3,'cid@x.io','pro')");
        String sourceId = api.create("/api/v1/sources", Map.of("name", "Warehouse", "slug", "warehouse", "type", "postgres",
                "configuration", Map.of("host", "127.0.0.1", "port", suite.postgresPort(), "database", "warehouse",
                        "user", suite.warehouseUser(), "password", suite.warehousePassword()))).get("id").asText();
        String modelId = api.create("/api/v1/models", Map.of("name", "People", "slug", "people", "sourceId", sourceId,
                "queryType", "raw_sql", "raw", Map.of("sql", "SELECT id, email, plan FROM dash_people"), "primaryKey", "id")).get("id").asText();
        String destinationId = api.create("/api/v1/destinations", Map.of("name", "CRM webhook", "slug", "crm", "type", "webhook",
                "configuration", Map.of("url", sink.url()))).get("id").asText();
        syncId = api.create("/api/v1/syncs", Map.of("slug", "people-to-crm", "modelId", modelId, "destinationId", destinationId,
                "disabled", false, "schedule", Map.of("type", "manual"),
                "configuration", Map.of("mode", "upsert", "deleteBehavior", "delete", "batchSize", 1,
                        "mappings", List.of(Map.of("from", "email", "to", "email", "type", "standard"),
                                Map.of("from", "plan", "to", "plan", "type", "standard"))))).get("id").asText();
        Files.createDirectories(SCREENSHOTS);
        browser = chromium();
        wait = new WebDriverWait(browser, WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (sink != null) {
            sink.close();
        }
        if (suite != null) {
            suite.close();
        }
    }

    @Test
    @Order(1)
    void signInKeepsTheKeyInTheSessionNotTheUrl() {
        browser.get(suite.apiBase() + "/");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("api-key"))).sendKeys("wrong-key");
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "not valid"));

        WebElement key = browser.findElement(By.id("api-key"));
        key.clear();
        key.sendKeys(suite.apiKey);
        browser.findElement(By.cssSelector("#login-form button[type=submit]")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#syncs tr[data-sync='" + syncId + "']")));
        assertFalse(browser.getCurrentUrl().contains(suite.apiKey), browser.getCurrentUrl());
        assertEquals(suite.apiKey, script("return sessionStorage.getItem('eddy.apiKey')"));
        assertNull(script("return localStorage.getItem('eddy.apiKey')"));
    }

    @Test
    @Order(2)
    void theSyncsListShowsModelDestinationScheduleAndStatus() throws Exception {
        WebElement row = browser.findElement(By.cssSelector("#syncs tr[data-sync='" + syncId + "']"));
        String text = row.getText();
        assertTrue(text.contains("people-to-crm") && text.contains("People") && text.contains("CRM webhook") && text.contains("manual"), text);
        new Select(browser.findElement(By.id("status-filter"))).selectByValue("failed");
        wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#syncs tr[data-sync='" + syncId + "']"), 0));
        new Select(browser.findElement(By.id("status-filter"))).selectByValue("all");
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#syncs tr[data-sync='" + syncId + "']")));
        screenshot("1-syncs");
    }

    @Test
    @Order(3)
    void runNowStartsARunAndThePageFollowsItToTheEnd() throws Exception {
        browser.findElement(By.linkText("people-to-crm")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sync-config"), "upsert"));
        assertTrue(browser.findElement(By.id("sync-config")).getText().contains("delete"));
        browser.findElement(By.id("run-now")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-notice"), "queued"));
        // the page refreshes itself while the run is in progress: no reload here
        WebElement done = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#runs tbody tr:first-child[data-status='success']")));
        assertTrue(done.getText().contains("3 / 0 / 0"), done.getText());

        warehouse("UPDATE dash_people SET plan = 'blocked' WHERE id = 2", "INSERT INTO dash_people VALUES (4,'dee@x.io','pro')");
        browser.findElement(By.id("run-now")).click();
        WebElement warned = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#runs tbody tr:first-child[data-status='warning']")));
        assertTrue(warned.getText().contains("1 / 1 / 0"), "planned: one added, one changed: " + warned.getText());
        assertEquals(2, browser.findElements(By.cssSelector("#runs-chart g[data-run]")).size(), "one bar per run");
        assertEquals(1, browser.findElements(By.cssSelector("#runs-chart g[data-run] rect.rejected[height]")).stream()
                .filter(r -> Double.parseDouble(r.getAttribute("height")) > 0).count(), "the second run's bar shows its rejected row");
        screenshot("2-sync-runs");
    }

    @Test
    @Order(4)
    void theRunPageListsTheRejectedRow() throws Exception {
        browser.findElement(By.cssSelector("#runs tbody tr:first-child td a")).click();
        String runId = browser.getCurrentUrl().replaceAll(".*/runs/", "");
        EddyApi.Reply rejections = api.get("/api/v1/syncs/" + syncId + "/runs/" + runId + "/rejections?limit=25&offset=0");
        assertEquals(200, rejections.status(), rejections.raw());
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#rejections tr[data-pk='2']")));
        assertTrue(row.getText().contains("changed"), row.getText());
        row.findElement(By.cssSelector("button.reason")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("rejection-reason"), "422"));
        screenshot("3-rejected-row");
        browser.findElement(By.id("dialog-cancel")).click();
        screenshot("3-run");
    }

    @Test
    @Order(5)
    void testARowSendsItAndShowsTheRequestAndResponse() throws Exception {
        browser.get(suite.apiBase() + "/#/syncs/" + syncId);
        wait.until(ExpectedConditions.elementToBeClickable(By.id("test-row"))).click();
        WebElement preview = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("test-row-preview")));
        wait.until(d -> !preview.getText().contains("Loading"));
        WebElement row = browser.findElement(By.id("test-row-json"));
        // pick a row from the model preview: its values fill the editor
        wait.until(ExpectedConditions.elementToBeClickable(By.id("preview-use-0"))).click();
        assertTrue(row.getAttribute("value").contains("email"), row.getAttribute("value"));
        row.clear();
        row.sendKeys("{\"id\": 9, \"email\": \"test@x.io\", \"plan\": \"blocked\"}");
        new Select(browser.findElement(By.id("test-row-op"))).selectByValue("changed");
        int before = sink.requests().size();
        browser.findElement(By.id("test-row-send")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("test-row-status")));
        String result = browser.findElement(By.id("test-row-result")).getText();
        assertTrue(result.contains("422") && result.contains("test@x.io"), result);
        assertTrue(sink.requests().size() > before && sink.requests().stream().anyMatch(r -> r.body().contains("test@x.io")),
                "the row reached the destination");
        screenshot("4-test-row");
    }

    @Test
    @Order(6)
    void pauseAndResumeTheScheduleWhileRunNowStillRuns() throws Exception {
        // back from Test a row, which is drawn over the sync's own address
        browser.findElement(By.id("test-row-back")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pause"), "Pause schedule"));
        browser.findElement(By.id("pause")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-notice"), "Schedule paused"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("sync-config"), "manual (paused)"));
        assertEquals("Resume schedule", browser.findElement(By.id("pause")).getText());
        JsonNode paused = api.get("/api/v1/syncs/" + syncId).body();
        assertTrue(paused.get("schedulePaused").asBoolean(), paused.toString());
        assertFalse(paused.get("disabled").asBoolean(), "pausing is not disabling: " + paused);

        // a paused schedule stops scheduled runs only: Run now still runs the sync
        int runsBefore = browser.findElements(By.cssSelector("#runs tbody tr")).size();
        browser.findElement(By.id("run-now")).click();
        wait.until(d -> d.findElements(By.cssSelector("#runs tbody tr")).size() == runsBefore + 1);
        // the model still holds the row the destination refuses: the run ends warning
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(
                "#runs tbody tr:first-child[data-status='warning'], #runs tbody tr:first-child[data-status='success']")));
        screenshot("5-paused");

        browser.get(suite.apiBase() + "/#/syncs");
        WebElement row = wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#syncs tr[data-sync='" + syncId + "']")));
        assertTrue(row.getText().contains("manual (paused)"), row.getText());

        browser.get(suite.apiBase() + "/#/syncs/" + syncId);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pause"), "Resume schedule"));
        browser.findElement(By.id("pause")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("action-notice"), "Schedule resumed"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("pause"), "Pause schedule"));
        assertFalse(browser.findElement(By.id("sync-config")).getText().contains("(paused)"));
        assertFalse(api.get("/api/v1/syncs/" + syncId).body().get("schedulePaused").asBoolean());
    }

    @Test
    @Order(7)
    void theDashboardBreaksNoRuleOfItsContentSecurityPolicy() {
        browser.get(suite.apiBase() + "/#/syncs/" + syncId);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#runs tbody tr")));
        List<String> violations = browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .map(org.openqa.selenium.logging.LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy")).toList();
        // the console holds every message since the session began: the run followed to its end drew progress bars
        assertEquals(List.of(), violations, "every page visited in this class kept to the policy");
    }

    private static Object script(String js) {
        return ((org.openqa.selenium.JavascriptExecutor) browser).executeScript(js);
    }

    private static void screenshot(String name) throws Exception {
        File file = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(file.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebDriver chromium() throws Exception {
        System.setProperty("webdriver.chrome.driver", "/usr/bin/chromedriver");
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        // the console, so a Content-Security-Policy violation of any page is seen
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=1280,900", "--user-data-dir=" + Files.createTempDirectory(home, "chromium-profile"));
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver")).build(), options);
    }

    private static void warehouse(String... statements) {
        try (Connection c = suite.warehouse();
             Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        } catch (Exception e) {
            throw new AssertionError("warehouse SQL failed: " + e.getMessage(), e);
        }
    }
}
