#!/usr/bin/env python3
"""samples/evtx-xml/make.py - writes the XML event-log samples.

wevtutil.xml        `wevtutil qe /f:xml` shape: one <Event> per line, single
                    quotes, no XML declaration, no root element.
eventviewer-utf16.xml  Event Viewer "Save as XML" shape: <?xml?> + <Events>
                    root, UTF-16LE with a BOM; the same events.
security_short.xml  the corpus file evtxrs-Security_short_selected.evtx
                    rendered by `evtxexport -f xml` (libevtx), wrapped as
                    Event Viewer does; only rewritten when evtxexport exists.

Events: the six Security samples of ../shared/formats/windows-events.md
(5156, 5157, 5152, 4624, 4625, 4663), three records of the public corpus
(5158 bind and 4624 from ea-DE_RDP_Tunnel_5156.evtx, Sysmon 3 from
ea-DE_sysmon-3-rdp-tun.evtx, 1102 UserData from dbc-password-spray.evtx,
converted by evtxexport and put on one line), and one hand-made classic
(EventLog API) event with Qualifiers, unnamed <Data>, escaped text and a
RenderedXml <RenderingInfo> message.
"""
import os
import re
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "..", "shared")
NS = "xmlns='http://schemas.microsoft.com/win/2004/08/events/event'"

CORPUS = [
"""<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>5158</EventID><Version>0</Version><Level>0</Level><Task>12810</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2019-02-13T18:04:01.722250400Z'/><EventRecordID>227731</EventRecordID><Correlation/><Execution ProcessID='4' ThreadID='56'/><Channel>Security</Channel><Computer>PC01.example.corp</Computer><Security/></System><EventData><Data Name='ProcessId'>1280</Data><Data Name='Application'>\\device\\harddiskvolume1\\windows\\system32\\svchost.exe</Data><Data Name='SourceAddress'>0.0.0.0</Data><Data Name='SourcePort'>55355</Data><Data Name='Protocol'>17</Data><Data Name='FilterRTID'>0</Data><Data Name='LayerName'>%%14608</Data><Data Name='LayerRTID'>36</Data></EventData></Event>""",
"""<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing' Guid='{54849625-5478-4994-A5BA-3E3B0328C30D}'/><EventID>4624</EventID><Version>0</Version><Level>0</Level><Task>12544</Task><Opcode>0</Opcode><Keywords>0x8020000000000000</Keywords><TimeCreated SystemTime='2019-02-13T18:02:04.426662000Z'/><EventRecordID>227701</EventRecordID><Correlation ActivityID='{AD38FF07-BC05-4620-A79A-51E18F454768}'/><Execution ProcessID='520' ThreadID='1920'/><Channel>Security</Channel><Computer>PC01.example.corp</Computer><Security/></System><EventData><Data Name='SubjectUserSid'>S-1-5-18</Data><Data Name='SubjectUserName'>PC01$</Data><Data Name='SubjectDomainName'>EXAMPLE</Data><Data Name='SubjectLogonId'>0x00000000000003e7</Data><Data Name='TargetUserSid'>S-1-5-21-1587066498-1489273250-1035260531-1106</Data><Data Name='TargetUserName'>user01</Data><Data Name='TargetDomainName'>EXAMPLE</Data><Data Name='TargetLogonId'>0x00000000001414c8</Data><Data Name='LogonType'>11</Data><Data Name='LogonProcessName'>User32 </Data><Data Name='AuthenticationPackageName'>Negotiate</Data><Data Name='WorkstationName'>PC01</Data><Data Name='LogonGuid'>{00000000-0000-0000-0000-000000000000}</Data><Data Name='TransmittedServices'>-</Data><Data Name='LmPackageName'>-</Data><Data Name='KeyLength'>0</Data><Data Name='ProcessId'>0x00000704</Data><Data Name='ProcessName'>C:\\Windows\\System32\\winlogon.exe</Data><Data Name='IpAddress'>127.0.0.1</Data><Data Name='IpPort'>0</Data></EventData></Event>""",
"""<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Eventlog' Guid='{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}'/><EventID>1102</EventID><Version>0</Version><Level>4</Level><Task>104</Task><Opcode>0</Opcode><Keywords>0x4020000000000000</Keywords><TimeCreated SystemTime='2019-04-30T19:27:00.297450400Z'/><EventRecordID>42803</EventRecordID><Correlation/><Execution ProcessID='1228' ThreadID='6280'/><Channel>Security</Channel><Computer>DESKTOP-JR78RLP</Computer><Security/></System><UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'><SubjectUserSid>S-1-5-21-979008924-657238111-836329461-1002</SubjectUserSid><SubjectUserName>jwrig</SubjectUserName><SubjectDomainName>DESKTOP-JR78RLP</SubjectDomainName><SubjectLogonId>0x0000000000030550</SubjectLogonId></LogFileCleared></UserData></Event>""",
"""<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/><EventID>3</EventID><Version>5</Version><Level>4</Level><Task>3</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2019-02-16T10:02:22.965921600Z'/><EventRecordID>1940900</EventRecordID><Correlation/><Execution ProcessID='1728' ThreadID='316'/><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>PC01.example.corp</Computer><Security UserID='S-1-5-18'/></System><EventData><Data Name='RuleName'/><Data Name='UtcTime'>2019-02-16 10:02:21.995</Data><Data Name='ProcessGuid'>{365ABB72-DFAD-5C67-0000-0010E0811500}</Data><Data Name='ProcessId'>2312</Data><Data Name='Image'>C:\\Users\\IEUser\\Desktop\\plink.exe</Data><Data Name='User'>PC01\\IEUser</Data><Data Name='Protocol'>tcp</Data><Data Name='Initiated'>true</Data><Data Name='SourceIsIpv6'>false</Data><Data Name='SourceIp'>10.0.2.17</Data><Data Name='SourceHostname'>PC01.example.corp</Data><Data Name='SourcePort'>49185</Data><Data Name='SourcePortName'/><Data Name='DestinationIsIpv6'>false</Data><Data Name='DestinationIp'>10.0.2.18</Data><Data Name='DestinationHostname'>PC02</Data><Data Name='DestinationPort'>80</Data><Data Name='DestinationPortName'>http</Data></EventData></Event>""",
]

CLASSIC = ("<Event " + NS + "><System><Provider Name='MSExchangeFrontEndTransport'/>"
           "<EventID Qualifiers='49156'>1035</EventID><Level>3</Level><Task>12</Task>"
           "<Keywords>0x80000000000000</Keywords>"
           "<TimeCreated SystemTime='2024-01-07T08:16:01.5Z'/><EventRecordID>88120</EventRecordID>"
           "<Channel>Application</Channel><Computer>EX01.contoso.com</Computer><Security/></System>"
           "<EventData><Data>Default Frontend EX01</Data><Data>LogonDenied</Data>"
           "<Data>&lt;unknown&gt; &amp; more</Data><Data>198.51.100.7</Data></EventData>"
           "<RenderingInfo Culture='en-US'><Message>Inbound authentication failed with error "
           "LogonDenied for Receive connector Default Frontend EX01. The source IP address of "
           "the client who tried to authenticate to Microsoft Exchange is [198.51.100.7].</Message>"
           "<Level>Warning</Level></RenderingInfo></Event>")


def reference_events():
    ref = open(os.path.join(SHARED, "formats", "windows-events.md"), encoding="utf-8").read()
    return [s.replace("\n", "") for s in re.findall(r"```xml\n(.*?)```", ref, re.S)]


def main():
    evs = reference_events() + CORPUS + [CLASSIC]
    with open(os.path.join(HERE, "wevtutil.xml"), "w", encoding="utf-8", newline="\r\n") as f:
        for e in evs:
            f.write(e + "\n")
    body = '<?xml version="1.0" encoding="UTF-16"?>\r\n<Events>' + "\r\n".join(evs) + "</Events>\r\n"
    with open(os.path.join(HERE, "eventviewer-utf16.xml"), "wb") as f:
        f.write(b"\xff\xfe" + body.encode("utf-16-le"))
    exe = shutil.which("evtxexport")
    if exe:
        src = os.path.join(SHARED, "corpus", "evtx", "evtxrs-Security_short_selected.evtx")
        out = subprocess.run([exe, "-f", "xml", src], capture_output=True, text=True, check=True).stdout
        events = re.findall(r"<Event .*?</Event>", out, re.S)
        with open(os.path.join(HERE, "security_short.xml"), "w", encoding="utf-8") as f:
            f.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Events>\n')
            f.write("\n".join(events) + "\n</Events>\n")


if __name__ == "__main__":
    main()
