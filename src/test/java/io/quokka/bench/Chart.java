package io.quokka.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The run as a picture, drawn with Java2D (headless): generation tokens/s of every measured run (served and bare,
 * one colour each) above, resident memory of the server and its runners below, on one time axis.
 */
final class Chart {
    record Point(double seconds, double value) {}

    private static final int W = 1200, H = 760, LEFT = 80, RIGHT = 200, TOP = 56, GAP = 70;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};

    /** Series of tokens/s points by label, drawn as markers. */
    final Map<String, List<Point>> rates = new LinkedHashMap<>();
    /** Series of MiB by label, drawn as lines. */
    final Map<String, List<Point>> memory = new LinkedHashMap<>();
    /** Vertical markers: phase names at their start. */
    final List<Map.Entry<Double, String>> phases = new ArrayList<>();
    String title = "Quokka benchmark";

    void write(Path file) throws IOException {
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, W, H);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 22);
        double tMax = 1;
        for (var s : rates.values()) for (Point p : s) tMax = Math.max(tMax, p.seconds);
        for (var s : memory.values()) for (Point p : s) tMax = Math.max(tMax, p.seconds);
        int panelH = (H - TOP - GAP - 50) / 2;
        panel(g, TOP, panelH, tMax, rates, "generation tokens/s", true);
        panel(g, TOP + panelH + GAP, panelH, tMax, memory, "resident memory (MiB)", false);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        g.setColor(Color.DARK_GRAY);
        g.drawString("seconds since the benchmark started", LEFT + (W - LEFT - RIGHT) / 2 - 100, H - 12);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
    }

    private void panel(Graphics2D g, int top, int h, double tMax, Map<String, List<Point>> series, String label,
                       boolean markers) {
        int w = W - LEFT - RIGHT;
        double vMax = 1;
        for (var s : series.values()) for (Point p : s) if (Double.isFinite(p.value)) vMax = Math.max(vMax, p.value);
        vMax = niceCeiling(vMax * 1.05);
        g.setColor(new Color(0xf4f4f4));
        g.fillRect(LEFT, top, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i <= 5; i++) {
            int y = top + h - (int) (h * i / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + w, y);
            g.setColor(Color.DARK_GRAY);
            String v = fmt(vMax * i / 5);
            g.drawString(v, LEFT - 8 - g.getFontMetrics().stringWidth(v), y + 4);
        }
        for (int i = 0; i <= 10; i++) {
            int x = LEFT + (int) (w * i / 10.0);
            g.setColor(Color.DARK_GRAY);
            String t = fmt(tMax * i / 10);
            g.drawString(t, x - g.getFontMetrics().stringWidth(t) / 2, top + h + 14);
        }
        g.setColor(new Color(0xbbbbbb));
        for (var phase : phases) {
            int x = LEFT + (int) (w * phase.getKey() / tMax);
            g.drawLine(x, top, x, top + h);
            if (markers) {
                g.setColor(Color.GRAY);
                g.drawString(phase.getValue(), x + 3, top + 12);
                g.setColor(new Color(0xbbbbbb));
            }
        }
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, top, w, h);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 12));
        g.drawString(label, LEFT, top - 6);
        int c = 0, legendY = top + 16;
        for (var e : series.entrySet()) {
            Color color = PALETTE[c++ % PALETTE.length];
            g.setColor(color);
            g.setStroke(new BasicStroke(markers ? 1.5f : 2f));
            Path2D line = new Path2D.Double();
            boolean started = false;
            for (Point p : e.getValue()) {
                if (!Double.isFinite(p.value)) continue;
                double x = LEFT + w * p.seconds / tMax, y = top + h - h * p.value / vMax;
                if (markers) {
                    g.fillOval((int) x - 4, (int) y - 4, 8, 8);
                } else if (!started) {
                    line.moveTo(x, y);
                    started = true;
                } else {
                    line.lineTo(x, y);
                }
            }
            if (!markers) g.draw(line);
            g.fillRect(LEFT + w + 14, legendY - 9, 12, 12);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(e.getKey(), LEFT + w + 32, legendY + 1);
            legendY += 18;
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static double niceCeiling(double v) {
        double mag = Math.pow(10, Math.floor(Math.log10(v)));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * mag >= v) return step * mag;
        }
        return 10 * mag;
    }

    private static String fmt(double v) {
        return v >= 100 || v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.1f", v);
    }
}
