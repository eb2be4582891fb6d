package dev.flywheel.model.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The server's mapper reads decimals with Jackson's fast parser: it must give the very doubles Double.parseDouble gives. */
class ServerJsonTest {

  @Test
  void theFastDecimalParserReadsEveryNumberAsDoubleParseDoubleDoes() throws Exception {
    Random random = new Random(20261202);
    for (int i = 0; i < 200_000; i++) {
      String number = switch (i % 5) {
        case 0 -> Double.toString(Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL)); // any finite double
        case 1 -> String.format(Locale.ROOT, "%.3f", random.nextGaussian() * 10); // what clients send
        case 2 -> String.format(Locale.ROOT, "%.17g", random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
        case 3 -> digits(random, 1 + random.nextInt(30)) + "." + digits(random, 1 + random.nextInt(30)) + "e" + (random.nextInt(700) - 350);
        default -> "-" + digits(random, 1 + random.nextInt(3)) + "." + digits(random, 25); // more digits than a double holds
      };
      try (JsonParser parser = ServerJson.MAPPER.getFactory().createParser(("[" + number + "]").getBytes(StandardCharsets.US_ASCII))) {
        parser.nextToken();
        parser.nextToken();
        assertThat(Double.doubleToRawLongBits(parser.getDoubleValue())).as(number)
            .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(number)));
      }
    }
  }

  private static String digits(Random random, int count) {
    StringBuilder out = new StringBuilder(count);
    for (int i = 0; i < count; i++) {
      out.append((char) (i == 0 ? '1' + random.nextInt(9) : '0' + random.nextInt(10))); // (JSON has no leading zeroes)
    }
    return out.toString();
  }
}
