package labdrop.config;

import labdrop.error.BadInputException;

/** A configuration file or variable that stops start-up; the message names file, line and key. */
public class ConfigException extends BadInputException {
    public ConfigException(String message) {
        super(message);
    }
}
