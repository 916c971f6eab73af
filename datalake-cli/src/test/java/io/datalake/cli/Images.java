package io.datalake.cli;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import javax.imageio.ImageIO;

/** Small real images, written by the JDK's encoders. */
final class Images {
    private Images() {
    }

    static byte[] png() throws IOException {
        return encode("png");
    }

    static byte[] jpeg() throws IOException {
        return encode("jpeg");
    }

    private static byte[] encode(String format) throws IOException {
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 4, Color.ORANGE.getRGB());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(image, format, out)) {
            throw new IllegalStateException("no " + format + " writer");
        }
        return out.toByteArray();
    }
}
