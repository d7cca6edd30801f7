package dev.eddy.config.rest;

import dev.eddy.config.service.ConflictException;
import dev.eddy.config.service.MalformedRequestException;
import dev.eddy.config.service.TriggerNotPublishedException;
import dev.eddy.config.service.UnknownObjectException;
import dev.eddy.config.service.ValidationException;
import dev.eddy.config.store.StoreException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.sql.SQLException;
import java.util.Map;

/** Maps every error to a JSON answer: 422 (Hightouch's ValidateErrorJSON), 404, 400, 503, and 500 only for our own faults. */
public class ErrorResponses {

    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    @ServerExceptionMapper
    public Response validation(ValidationException e) {
        return json(422, Map.of("message", "Validation failed", "details", e.details()));
    }

    @ServerExceptionMapper
    public Response conflict(ConflictException e) {
        return json(409, Map.of("message", e.getMessage(), "details", e.dependants()));
    }

    @ServerExceptionMapper
    public Response unknown(UnknownObjectException e) {
        return message(404, e.getMessage());
    }

    @ServerExceptionMapper
    public Response malformed(MalformedRequestException e) {
        return message(400, e.getMessage());
    }

    @ServerExceptionMapper
    public Response notPublished(TriggerNotPublishedException e) {
        LOG.warn(e.getMessage());
        return message(503, e.getMessage());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String message = status == 404 ? "not found" : status == 405 ? "method not allowed"
                : status == 415 ? "unsupported media type" : e.getMessage();
        return message(status, message);
    }

    /**
     * A value PostgreSQL refused as data (SQLState class 22: NUL in text, out of range, too long) that validation did
     * not catch first: the client's input, so a 422, not a 500. Validation names the field; this is the backstop.
     */
    @ServerExceptionMapper
    public Response store(StoreException e) {
        if (e.getCause() instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("22")) {
            LOG.warnf("a request value was refused by the database: %s", sql.getSQLState());
            return json(422, Map.of("message", "Validation failed",
                    "details", Map.of("body", "a value cannot be stored (SQLState " + sql.getSQLState() + ")")));
        }
        return unexpected(e);
    }

    @ServerExceptionMapper(priority = 10_000)
    public Response unexpected(Throwable e) {
        LOG.error("request failed", e);
        return message(500, "internal error");
    }

    private static Response message(int status, String message) {
        return json(status, Map.of("message", message == null ? "error" : message));
    }

    private static Response json(int status, Object body) {
        return Response.status(status).type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
