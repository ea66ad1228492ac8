// Reads a Parametric Map with pixelmed (an independent DICOM toolkit), for report-parametric-map.test.ts.
// Usage: java -cp pixelmed.jar ReadParametricMap.java PM.dcm [NATIVE.dcm RAW-OUT]
// Prints one "key=value" line per attribute the test checks, and pixelmed's own real-world value of
// stored values 0, 1 and 65535 (RealWorldValueTransform). With NATIVE.dcm (the same object decoded
// to native pixels by another toolkit), writes its stored 16-bit values as little-endian bytes to RAW-OUT.
import com.pixelmed.dicom.*;
import java.io.*;
import java.nio.*;

public class ReadParametricMap {
  static AttributeList item(AttributeList list, AttributeTag seq) {
    return ((SequenceAttribute) list.get(seq)).getItem(0).getAttributeList();
  }

  public static void main(String[] args) throws Exception {
    AttributeList list = new AttributeList();
    // This pixelmed has no JPEG-LS codec: it parses the encapsulated frames without decoding them.
    list.setDecompressPixelData(false);
    list.read(args[0]);
    Attribute pixels = list.get(TagFromName.PixelData);
    System.out.println("compressedFrames=" + (pixels instanceof OtherByteAttributeMultipleCompressedFrames ? ((OtherByteAttributeMultipleCompressedFrames) pixels).getFrames().length : -1));
    System.out.println("transferSyntax=" + Attribute.getSingleStringValueOrEmptyString(list, TagFromName.TransferSyntaxUID));
    for (AttributeTag t : new AttributeTag[] { TagFromName.SOPClassUID, TagFromName.NumberOfFrames, TagFromName.Rows, TagFromName.Columns, TagFromName.BitsAllocated, TagFromName.BitsStored, TagFromName.PixelRepresentation })
      System.out.println(list.getDictionary().getNameFromTag(t) + "=" + Attribute.getSingleStringValueOrEmptyString(list, t));
    System.out.println("floatPixelData=" + (list.get(TagFromName.FloatPixelData) != null));
    AttributeList rwvm = item(item(list, TagFromName.SharedFunctionalGroupsSequence), TagFromName.RealWorldValueMappingSequence);
    System.out.println("slope=" + Attribute.getSingleDoubleValueOrDefault(rwvm, TagFromName.RealWorldValueSlope, Double.NaN));
    System.out.println("intercept=" + Attribute.getSingleDoubleValueOrDefault(rwvm, TagFromName.RealWorldValueIntercept, Double.NaN));
    System.out.println("first=" + Attribute.getSingleIntegerValueOrDefault(rwvm, TagFromName.RealWorldValueFirstValueMapped, -1));
    System.out.println("last=" + Attribute.getSingleIntegerValueOrDefault(rwvm, TagFromName.RealWorldValueLastValueMapped, -1));
    System.out.println("lutLabel=" + Attribute.getSingleStringValueOrEmptyString(rwvm, TagFromName.LUTLabel));
    System.out.println("lutExplanation=" + Attribute.getSingleStringValueOrEmptyString(rwvm, TagFromName.LUTExplanation));
    AttributeList units = item(rwvm, TagFromName.MeasurementUnitsCodeSequence);
    System.out.println("units=" + Attribute.getSingleStringValueOrEmptyString(units, TagFromName.CodeValue) + "," + Attribute.getSingleStringValueOrEmptyString(units, TagFromName.CodingSchemeDesignator));
    RealWorldValueTransform transform = new RealWorldValueTransform(list);
    for (int v : new int[] { 0, 1, 32767, 65535 }) System.out.println("real(" + v + ")=" + transform.toString(0, v).trim());
    if (args.length < 3) return;
    AttributeList nativeList = new AttributeList();
    nativeList.read(args[1]);
    short[] stored = nativeList.get(TagFromName.PixelData).getShortValues();
    ByteBuffer out = ByteBuffer.allocate(stored.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    out.asShortBuffer().put(stored);
    try (FileOutputStream f = new FileOutputStream(args[2])) { f.write(out.array()); }
    System.out.println("values=" + stored.length);
  }
}
