package labdrop.drop.xml;

import labdrop.error.BadInputException;

/** A drop XML file that is refused: not well-formed, hostile, an unknown version or not valid. */
public class XmlRefusedException extends BadInputException {
    XmlRefusedException(String message) {
        super(message);
    }
}
